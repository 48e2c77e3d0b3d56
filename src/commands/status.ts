import { loadConfig } from '../config.js';
import type { Context, GlobalOptions } from '../context.js';
import { connectEngine, ensureEngineReachable } from '../deploy/engine.js';
import { gatherStatus } from '../ops/status.js';
import { formatStatus, statusToJson } from '../ops/status-format.js';
import { resolveOpsTarget, type OpsTarget } from '../ops/target.js';
import type { Registry } from '../registry/schema.js';
import { loadRegistry, locateRegistry } from '../registry/store.js';

export interface StatusOptions extends GlobalOptions {
  ref?: string;
  host?: string;
}

/** Internal service port when no registry says otherwise (the shipped default). */
const SERVICE_PORT = 80;

/**
 * `jobmon-ops status [release]` (alias `ps`): every Jobmon stack on the
 * engine grouped by release, the monitor's last poll, releases registered
 * but not running, and Jobmon-looking containers of no registered release.
 * A stack missing a container is `degraded`: shown, not an error.
 */
export async function status(options: StatusOptions, ctx: Context): Promise<number> {
  const config = await loadConfig(ctx.env);
  // Without a release, a missing registry still allows a look at the engine.
  const located = locateRegistry({ cwd: ctx.cwd, explicit: options.registry, env: ctx.env });
  let registry: Registry | undefined;
  if (located.exists || options.ref !== undefined || options.registry !== undefined) {
    registry = (await loadRegistry({ cwd: ctx.cwd, explicit: options.registry, env: ctx.env })).registry;
  } else {
    ctx.logger.warn(`note: no port registry at ${located.file}; every Jobmon container counts as unregistered (pass --registry FILE)`);
  }
  let only: OpsTarget | undefined;
  if (options.ref !== undefined) only = resolveOpsTarget(registry!, options.ref, options.host);
  const host = only?.release.host ?? options.host ?? config.defaultHost;
  const { docker, endpoint } = connectEngine({ env: ctx.env, config, ...(host ? { host } : {}) });
  await ensureEngineReachable(docker, endpoint);
  const report = await gatherStatus({
    docker, endpoint, config, registry, servicePort: registry?.internalPorts.service ?? SERVICE_PORT,
    ...(host ? { host } : {}), ...(only ? { only } : {}),
  });
  ctx.logger.data(options.json ? statusToJson(report) : formatStatus(report));
  return 0;
}
