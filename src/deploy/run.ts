import path from 'node:path';
import type Docker from 'dockerode';
import type { ConfiguredLimits } from '../config.js';
import type { Context } from '../context.js';
import { InterruptedError, ProblemsFoundError, UsageError } from '../errors.js';
import type { Registry } from '../registry/schema.js';
import { projectContainers } from './engine-state.js';
import { executePlan, DeployFailure } from './execute.js';
import { removeParked } from './execute-steps.js';
import { ensureCheckout } from './git-tag.js';
import { ensureImages } from './image-build.js';
import { acquireLock } from './lock.js';
import { planDeploy } from './plan.js';
import { parseLabels, withExtras } from './plan-extras.js';
import type { PreflightResult } from './preflight.js';
import type { Progress } from './progress.js';
import { canPrompt, slackSettings } from './prompts.js';
import { ensureVersionDir, recordFile, secretsFromRecord, writeRecord, type DeploymentRecord } from './record.js';
import { pendingRecord, printSummary } from './report.js';
import { dbSecrets } from './secrets.js';
import type { EngineEndpoint } from './engine.js';
import type { DeployOptions } from '../commands/deploy.js';
import { interruptSignalOf } from '../util/interrupt.js';

export interface RunInput {
  options: DeployOptions;
  ctx: Context;
  docker: Docker;
  endpoint: EngineEndpoint;
  pre: PreflightResult;
  registry: Registry;
  user: string;
  deploymentsRoot: string;
  progress: Progress;
  signal: AbortSignal;
  /** The configuration's container limits. */
  limits?: ConfiguredLimits | undefined;
}

/** Images take far longer than a health gate the first time (npm ci, apt-get): at least 20 minutes. */
const BUILD_LIMIT_SECONDS = 1200;

/** Removes the release's containers and its volume (`--purge-data`), after the record is written. */
async function purgeData(docker: Docker, pre: PreflightResult, volume: string, progress: Progress): Promise<void> {
  await progress.step(`purge: remove ${pre.project}'s containers and volume ${volume}`, async () => {
    for (const c of await projectContainers(docker, pre.project)) await docker.getContainer(c.id).remove({ force: true });
    await docker.getVolume(volume).remove();
    return 'data deleted';
  });
}

/** Changes the engine: lock, checkout, images, record, executor, record again (after preflight, decisions.md 23). */
export async function runDeploy(input: RunInput): Promise<number> {
  const { options, ctx, docker, pre, progress, signal } = input;
  const { tag } = pre.source;
  const labels = parseLabels(options.label);
  const interactive = canPrompt(options);
  const slack = await slackSettings(options, ctx.env, interactive);
  if (signal.aborted) throw signal.reason;
  const lock = await acquireLock(docker, pre.project, tag.tag, labels);
  progress.line(`deploy lock ${lock.name} taken`);
  try {
    if (!options.redeploy && (await projectContainers(docker, pre.project)).length > 0) {
      throw new UsageError(`${tag.tag} was deployed meanwhile; pass --redeploy to replace it`);
    }
    const versionDir = await ensureVersionDir(input.deploymentsRoot, tag.version);
    const checkout = path.join(versionDir, `checkout-${tag.commit.slice(0, 12)}`);
    await progress.step(`checkout ${tag.tag} (${tag.commit.slice(0, 12)})`, () => ensureCheckout(pre.repo, tag, checkout, signal), (r) => (r.reused ? `reused ${checkout}` : checkout));
    const images = await progress.step(
      'images',
      () =>
        ensureImages({
          docker, checkoutDir: checkout, commit: tag.commit, log: progress.line, timeoutSeconds: Math.max(options.timeout, BUILD_LIMIT_SECONDS), labels, signal,
          ...(options.baseImage === undefined ? {} : { baseImage: options.baseImage }),
        }),
      (r) => Object.values(r.images).map((i) => `${i.tag} ${i.built ? `built in ${i.seconds} s` : 'reused'}`).join(', '),
    );
    const reuse = pre.volumeExists && !options.purgeData ? pre.previous : undefined;
    if (reuse) progress.line(`volume ${pre.project}_db_data exists: reusing the DB passwords of ${reuse.file}`);
    const secrets = reuse ? secretsFromRecord(reuse.record) : dbSecrets(ctx.env);
    const deployedAt = new Date().toISOString();
    const plan = withExtras(
      planDeploy({
        release: pre.source.target.release, commit: tag.commit, images: { server: images.images.server.tag, db: images.images.db.tag },
        ...(options.baseImage === undefined ? {} : { baseImage: options.baseImage }),
        bindAddress: options.bind, secrets: { ...secrets, ...(slack.token ? { slackToken: slack.token } : {}) },
        slack: { wfChannel: slack.wfChannel, nodeChannel: slack.nodeChannel }, deployedBy: input.user, deployedAt,
        internalPorts: input.registry.internalPorts, timeoutSeconds: options.timeout, redeploy: options.redeploy === true, limits: input.limits,
      }),
      labels,
      options.dbOption ?? [],
    );
    const file = recordFile(versionDir, deployedAt);
    const record = pendingRecord({ plan, engine: input.endpoint.url, clientAddress: pre.clientAddress, secrets, slack, checkout, ...(reuse ? { passwordsFrom: reuse.file } : {}) });
    await writeRecord(file, record);
    progress.line(`record ${file} (pending)`);
    if (options.purgeData && pre.volumeExists) await purgeData(docker, pre, plan.volume, progress);
    const started = Date.now();
    try {
      const result = await executePlan({ docker, plan, progress, signal, clientAddress: pre.clientAddress });
      const done: DeploymentRecord = { ...record, status: 'deployed', finishedAt: new Date().toISOString(), volumeCreated: result.created.volume !== undefined };
      // Recorded as proven before the replaced containers go: a run killed in between
      // leaves them to recoverAbandonedRun, which then knows to remove, not restore, them.
      await writeRecord(file, done);
      const left = await removeParked(docker, result.parked);
      if (left.length > 0) ctx.logger.warn(`could not remove the replaced ${left.join(', ')}; remove it with docker rm`);
      printSummary(ctx.logger, options.json, done, file, (Date.now() - started) / 1000);
      return 0;
    } catch (error) {
      if (!(error instanceof DeployFailure)) throw error;
      return await reportFailure(error, { ...input, record, file });
    }
  } finally {
    await lock.release().catch((error: unknown) => ctx.logger.warn(`could not remove the deploy lock ${lock.name}: ${(error as Error).message}`));
  }
}

/** Records the outcome of a failed run, prints the failing step and its container's log tail, and throws. */
async function reportFailure(failure: DeployFailure, input: RunInput & { record: DeploymentRecord; file: string }): Promise<never> {
  const { ctx, record, file } = input;
  const volumeCreated = failure.created.volume !== undefined;
  const message = failure.reason instanceof Error ? failure.reason.message : String(failure.reason);
  await writeRecord(file, {
    ...record,
    status: failure.left.length === 0 && failure.restore.left.length === 0 ? 'rolled-back' : 'failed',
    finishedAt: new Date().toISOString(),
    volumeCreated,
    volumeRemoved: volumeCreated && !failure.left.some((l) => l.startsWith('volume ')),
    failure: { step: failure.step, message: failure.interrupted ? 'interrupted' : message },
  });
  if (failure.container && failure.logs.length > 0) {
    ctx.logger.error(`last ${failure.logs.length} log lines of ${failure.container}:`);
    for (const line of failure.logs) ctx.logger.error(`  ${line}`);
  }
  const removed = [...failure.created.containers, ...(failure.created.network ? [failure.created.network] : []), ...(failure.created.volume ? [failure.created.volume] : [])];
  const cleanup = [
    failure.left.length > 0 ? `could not remove ${failure.left.join(', ')}` : removed.length > 0 ? `removed what it created (${removed.join(', ')})` : 'it had created nothing',
    ...(failure.restore.restored.length > 0 ? [`restarted the previous ${failure.restore.restored.join(', ')}`] : []),
    ...(failure.restore.left.length > 0 ? [`could not restart the previous ${failure.restore.left.join(', ')}`] : []),
  ].join('; ');
  if (failure.interrupted) throw new InterruptedError(`interrupted at ${failure.step}; ${cleanup}; record ${file}`, interruptSignalOf(input.signal));
  throw new ProblemsFoundError(`${failure.step} failed: ${message}; ${cleanup}; record ${file}`);
}
