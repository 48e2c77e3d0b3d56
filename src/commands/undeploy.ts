import type { Context, GlobalOptions } from '../context.js';
import { resourceNames } from '../deploy/names.js';
import { plainProgress } from '../deploy/progress.js';
import { canPrompt } from '../deploy/prompts.js';
import { ProblemsFoundError, UsageError } from '../errors.js';
import { undeployStack } from '../ops/undeploy.js';
import { withReleaseLock } from '../ops/release-lock.js';
import { openRelease } from '../ops/target.js';
import { deploymentsRoot, recordUndeploy } from '../deploy/record.js';
import { confirmOnTerminal } from '../util/confirm.js';

export interface UndeployOptions extends GlobalOptions {
  ref: string;
  host?: string;
  purgeData?: boolean;
  yes?: boolean;
  /** Seconds each container may take to stop before the engine kills it. */
  timeout: number;
}

/**
 * `jobmon-ops undeploy <release>`: stops and removes the release's containers
 * and network under its deploy lock. The DB volume stays unless
 * `--purge-data`, which first points to `jobmon-ops dump` and needs a yes on
 * the terminal or `--yes` (no terminal and no --yes: refused, exit 2).
 */
export async function undeploy(options: UndeployOptions, ctx: Context): Promise<number> {
  const { target, docker, endpoint } = await openRelease(options.ref, options, ctx);
  const volume = resourceNames(target.project).volume;
  if (options.purgeData) {
    const db = target.release.release.db;
    ctx.logger.warn(`--purge-data deletes ${volume}, all of ${target.name}'s data; to keep a copy first: jobmon-ops dump ${typeof db === 'number' ? `--port ${db}` : target.name}`);
    if (!options.yes) {
      if (!canPrompt({})) throw new UsageError(`--purge-data deletes the data of ${target.name} and there is no terminal to confirm on; pass --yes to confirm`);
      if (!(await confirmOnTerminal(`Delete ${volume} and all data of ${target.name} on ${endpoint.url}?`))) throw new ProblemsFoundError('not confirmed; nothing was changed');
    }
  }
  const log = (line: string) => ctx.logger.warn(line);
  const result = await withReleaseLock({ docker, project: target.project, name: target.name, version: target.version, command: 'undeploy', env: ctx.env, log }, async () => {
    const done = await undeployStack({ docker, project: target.project, purgeData: options.purgeData === true, timeoutSeconds: options.timeout, progress: plainProgress(ctx.logger) });
    await recordUndeploy(deploymentsRoot(ctx.env), target.version, done.volumeRemoved !== undefined);
    return done;
  });
  if (result.containers.length === 0 && !result.network && !result.volumeRemoved) {
    ctx.logger.info(`${target.name} has no containers or network on ${endpoint.url}; nothing to remove${result.volumeKept ? ` (its volume ${result.volumeKept} is kept)` : ''}`);
    return 0;
  }
  const data = result.volumeRemoved
    ? `volume ${result.volumeRemoved} and its data deleted`
    : result.volumeKept
      ? `volume ${result.volumeKept} kept: jobmon-ops deploy ${target.name} finds its data again; --purge-data deletes it`
      : 'no DB volume';
  ctx.logger.info(`undeployed ${target.name} from ${endpoint.url}: ${result.containers.length} container(s)${result.network ? ` and network ${result.network}` : ''} removed; ${data}`);
  return 0;
}
