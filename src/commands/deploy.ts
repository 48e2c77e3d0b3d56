import { isIP } from 'node:net';
import { userInfo } from 'node:os';
import { loadConfig, type OperatorConfig } from '../config.js';
import type { Context, GlobalOptions } from '../context.js';
import { InterruptedError, UsageError } from '../errors.js';
import { formatPlan, planToJson } from '../deploy/format.js';
import { planDeploy } from '../deploy/plan.js';
import { DEFAULT_CHANNELS } from '../deploy/prompts.js';
import { dbSecrets, readSlackToken } from '../deploy/secrets.js';
import { resolveDeployTarget } from '../deploy/target.js';
import { displayName } from '../registry/release.js';
import { withInterrupt } from '../util/interrupt.js';
import { loadRegistry, locateRegistry } from '../registry/store.js';

export interface DeployOptions extends GlobalOptions {
  release: string;
  host?: string;
  repo?: string;
  bind: string;
  baseImage?: string;
  wfChannel?: string;
  nodeChannel?: string;
  slackTokenFile?: string;
  /** Seconds each health gate may take. */
  timeout: number;
  redeploy?: boolean;
  breakLock?: boolean;
  /** Delete an existing DB volume (and its data) that no record holds the passwords of. */
  purgeData?: boolean;
  yes?: boolean;
  dryRun?: boolean;
  quiet?: boolean;
  /** Hidden: the commit the images are tagged with in a dry run (a real deploy reads it from the tag). */
  commit?: string;
  /** Hidden: extra `key=value` labels on every resource and on the images this run builds (tests mark theirs). */
  label?: string[];
  /** Hidden: extra options for the DB server, after the image's own. */
  dbOption?: string[];
}

/** Who deploys: the login name, as the deployed-by label and the record show it. */
export function currentUser(env: NodeJS.ProcessEnv): string {
  try {
    return userInfo().username;
  } catch {
    return env.USER || env.LOGNAME || 'unknown';
  }
}

/** The release, commit and internal ports a dry run plans with, and a line saying where they came from. */
async function dryRunSource(options: DeployOptions, ctx: Context, config: OperatorConfig) {
  const host = options.host ?? config.defaultHost;
  const located = locateRegistry({ cwd: ctx.cwd, explicit: options.registry, env: ctx.env });
  const repo = options.repo ?? config.repository;
  if (!repo) {
    const { registry } = await loadRegistry({ cwd: ctx.cwd, explicit: options.registry, env: ctx.env });
    const target = resolveDeployTarget(registry, options.release, host);
    const note = 'planned from the local ports.json; with --repo (or "repository" in the configuration) the plan comes from the tag\'s own, as deploy reads it';
    return { target, commit: options.commit ?? '<commit>', internalPorts: registry.internalPorts, note };
  }
  // As deploy's preflight reads it: the tag's own ports.json from a temporary shallow fetch (read-only), checked against the local one.
  const [{ assertRepoNotOption }, { resolveReleaseSource }] = await Promise.all([import('../deploy/git-tag.js'), import('../deploy/release-source.js')]);
  assertRepoNotOption(repo, options.repo === undefined ? '"repository" in the configuration' : '--repo');
  const local = located.exists || options.registry ? (await loadRegistry({ cwd: ctx.cwd, explicit: options.registry, env: ctx.env })).registry : undefined;
  const source = await withInterrupt('interrupted while reading the tag; nothing was changed', (signal) =>
    resolveReleaseSource({ ref: options.release, repo, log: (line) => ctx.logger.warn(line), signal, ...(host ? { host } : {}), ...(local ? { local } : {}) }),
  );
  const note = `planned from tag ${source.tag.tag} (${source.tag.commit.slice(0, 12)}) of ${repo}, with that tag's own ports.json, as deploy reads it`;
  return { target: source.target, commit: options.commit ?? source.tag.commit, internalPorts: source.registry.internalPorts, note };
}

/** `--dry-run`: the plan, printed with secrets redacted; nothing is changed (a repository is only read). */
async function dryRun(options: DeployOptions, ctx: Context): Promise<number> {
  const config = await loadConfig(ctx.env);
  const { target, commit, internalPorts, note } = await dryRunSource(options, ctx, config);
  if (target.aliasOf) {
    ctx.logger.warn(`note: ${displayName(target.aliasOf.release)} is client-only; deploying its server release ${displayName(target.release.release)}`);
  }
  const tagPart = commit.slice(0, 12);
  const slackToken = await readSlackToken(options.slackTokenFile, ctx.env);
  const plan = planDeploy({
    release: target.release,
    commit,
    images: { server: `jobmon-server:${tagPart}`, db: `jobmon-mariadb:${tagPart}` },
    ...(options.baseImage === undefined ? {} : { baseImage: options.baseImage }),
    bindAddress: options.bind,
    secrets: { ...dbSecrets(ctx.env), ...(slackToken ? { slackToken } : {}) },
    slack: { wfChannel: options.wfChannel ?? DEFAULT_CHANNELS.wf, nodeChannel: options.nodeChannel ?? DEFAULT_CHANNELS.node },
    deployedBy: currentUser(ctx.env),
    deployedAt: new Date().toISOString(),
    internalPorts,
    timeoutSeconds: options.timeout,
    redeploy: options.redeploy === true,
    limits: config.limits,
  });
  if (options.json) {
    ctx.logger.data(planToJson(plan));
    return 0;
  }
  ctx.logger.data(formatPlan(plan));
  ctx.logger.info(note);
  ctx.logger.info('dry run: nothing was changed');
  return 0;
}

/** A spinner only for a person at a terminal. */
function wantsSpinner(options: DeployOptions, env: NodeJS.ProcessEnv): boolean {
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== 'false';
  return !ci && !options.quiet && !options.json && process.stdout.isTTY === true && process.stderr.isTTY === true;
}

/** The real deploy: preflight (changes nothing), then the run; a stop signal rolls back and exits 128 + its number. */
async function deployForReal(options: DeployOptions, ctx: Context): Promise<number> {
  const [{ connectEngine }, { runPreflight }, { runDeploy }, { deploymentsRoot }, progressModule] = await Promise.all([
    import('../deploy/engine.js'),
    import('../deploy/preflight.js'),
    import('../deploy/run.js'),
    import('../deploy/record.js'),
    import('../deploy/progress.js'),
  ]);
  const config = await loadConfig(ctx.env);
  const located = locateRegistry({ cwd: ctx.cwd, explicit: options.registry, env: ctx.env });
  const local = located.exists || options.registry ? (await loadRegistry({ cwd: ctx.cwd, explicit: options.registry, env: ctx.env })).registry : undefined;
  const host = options.host ?? config.defaultHost;
  const { docker, endpoint } = connectEngine({ env: ctx.env, config, ...(host ? { host } : {}) });
  const warn = (line: string) => ctx.logger.warn(line);
  // A stop signal (Ctrl-C, SIGTERM, or SIGHUP from a dropped ssh session) rolls the run back
  // as a failure would; further signals cannot cut that rollback short.
  return withInterrupt('interrupted; cleaned up', async (signal) => {
    try {
      // With --json stdout is the summary's JSON alone (docs/json.md): progress goes to stderr.
      const progress = options.json
        ? progressModule.jsonProgress(ctx.logger, options.quiet === true)
        : wantsSpinner(options, ctx.env) ? await progressModule.spinnerProgress(ctx.logger) : progressModule.plainProgress(ctx.logger);
      const user = currentUser(ctx.env);
      const root = deploymentsRoot(ctx.env);
      const pre = await runPreflight({
        ref: options.release, bind: options.bind, redeploy: options.redeploy === true, purgeData: options.purgeData === true, breakLock: options.breakLock === true,
        config, docker, endpoint, user, deploymentsRoot: root, log: warn, signal,
        ...(options.repo ? { repo: options.repo } : {}), ...(host ? { host } : {}), ...(local ? { local } : {}),
      });
      const { tag } = pre.source;
      progress.line(`preflight ok: ${tag.tag} at ${tag.commit.slice(0, 12)} for ${pre.source.target.release.host} on ${endpoint.url}; ports free${pre.existing.length ? '; redeploying' : ''}`);
      if (signal.aborted) throw new InterruptedError('interrupted during preflight; nothing was changed');
      return await runDeploy({ options, ctx, docker, endpoint, pre, registry: pre.source.registry, user, deploymentsRoot: root, progress, signal, limits: config.limits });
    } catch (error) {
      // Whatever a signal broke (a git or engine call mid-way) is reported as the interruption it was.
      if (signal.aborted && !(error instanceof InterruptedError)) throw new InterruptedError(`interrupted (${(error as Error).message}); cleaned up`);
      throw error;
    }
  }, { repeat: 'wait', warn });
}

/** Deploys a release to a Docker host, or with `--dry-run` prints the plan and changes nothing. */
export async function deploy(options: DeployOptions, ctx: Context): Promise<number> {
  if (isIP(options.bind) === 0) throw new UsageError(`--bind ${options.bind} is not an IP address; pass one such as 127.0.0.1, or leave it out for all addresses`);
  return options.dryRun ? dryRun(options, ctx) : deployForReal(options, ctx);
}
