import { isIP } from 'node:net';
import { userInfo } from 'node:os';
import { loadConfig } from '../config.js';
import type { Context, GlobalOptions } from '../context.js';
import { UsageError } from '../errors.js';
import { formatPlan, planToJson } from '../deploy/format.js';
import { planDeploy } from '../deploy/plan.js';
import { dbSecrets, readSlackToken } from '../deploy/secrets.js';
import { resolveDeployTarget } from '../deploy/target.js';
import { displayName } from '../registry/release.js';
import { loadRegistry } from '../registry/store.js';

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
  yes?: boolean;
  dryRun?: boolean;
  /** Hidden: the commit the images are tagged with, until deploy reads it from the tag's checkout. */
  commit?: string;
}

/** The channels the original deploy script offered (issue 5). */
export const DEFAULT_CHANNELS = { wf: 'jobmon-alerts', node: 'suspicious_nodes' } as const;

/** Who deploys: the login name, as the deployed-by label and the record show it. */
function currentUser(env: NodeJS.ProcessEnv): string {
  try {
    return userInfo().username;
  } catch {
    return env.USER || env.LOGNAME || 'unknown';
  }
}

/** Deploys a release to a Docker host; this slice prints the plan (`--dry-run`) and changes nothing. */
export async function deploy(options: DeployOptions, ctx: Context): Promise<number> {
  if (!options.dryRun) {
    throw new UsageError(
      `deploy is not available yet without --dry-run; see what it would do with jobmon-ops deploy ${options.release} --dry-run`,
    );
  }
  if (isIP(options.bind) === 0) throw new UsageError(`--bind ${options.bind} is not an IP address; pass one such as 127.0.0.1, or leave it out for all addresses`);
  const { registry } = await loadRegistry({ cwd: ctx.cwd, explicit: options.registry, env: ctx.env });
  const config = await loadConfig(ctx.env);
  const target = resolveDeployTarget(registry, options.release, options.host ?? config.defaultHost);
  if (target.aliasOf) {
    ctx.logger.warn(`note: ${displayName(target.aliasOf.release)} is client-only; deploying its server release ${displayName(target.release.release)}`);
  }
  const commit = options.commit ?? '<commit>';
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
    internalPorts: registry.internalPorts,
    timeoutSeconds: options.timeout,
    redeploy: options.redeploy === true,
  });
  if (options.json) {
    ctx.logger.data(planToJson(plan));
    return 0;
  }
  ctx.logger.data(formatPlan(plan));
  ctx.logger.info('dry run: nothing was changed');
  return 0;
}
