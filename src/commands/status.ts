import type Docker from 'dockerode';
import { loadConfig } from '../config.js';
import type { Context, GlobalOptions } from '../context.js';
import { connectEngine, ensureEngineReachable } from '../deploy/engine.js';
import { gatherStatus, releasesByProject } from '../ops/status.js';
import { deploymentsRoot } from '../deploy/record.js';
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

/** What killed deploy runs left on the engine (a dead holder's lock, parked containers), put right before it is shown. */
async function recoverKilledRuns(input: { docker: Docker; registry: Registry | undefined; only: OpsTarget | undefined; host: string | undefined; root: string; log: (line: string) => void }): Promise<void> {
  const { recoverAbandonedRun, projectsToRecover } = await import('../deploy/recover.js');
  const releases = releasesByProject(input.registry, input.host ? [input.host] : []);
  if (input.only) releases.set(input.only.project, { name: input.only.name, label: input.only.release.release.label, host: input.only.release.host, version: input.only.version, project: input.only.project });
  const candidates = await projectsToRecover(input.docker);
  if (input.only) candidates.add(input.only.project);
  for (const project of candidates) {
    const release = releases.get(project);
    if (!release || (input.only && project !== input.only.project)) continue;
    await recoverAbandonedRun({ docker: input.docker, project, release: release.name, version: release.version, deploymentsRoot: input.root, by: 'status', log: input.log });
  }
}

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
  const root = deploymentsRoot(ctx.env);
  await recoverKilledRuns({ docker, registry, only, host, root, log: (line) => ctx.logger.warn(line) });
  const report = await gatherStatus({
    docker, endpoint, config, registry, servicePort: registry?.internalPorts.service ?? SERVICE_PORT, deploymentsRoot: root,
    ...(host ? { host } : {}), ...(only ? { only } : {}),
  });
  ctx.logger.data(options.json ? statusToJson(report) : formatStatus(report));
  return 0;
}
