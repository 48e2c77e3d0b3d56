import type { Context, GlobalOptions } from '../context.js';
import { displayName } from '../registry/release.js';
import { releaseJson } from '../registry/release-json.js';
import { describeMatch, findReleases, unknownReleaseError, type ReleaseMatch } from '../registry/resolve.js';
import { PORT_COLUMN, type Registry } from '../registry/schema.js';
import { loadRegistry } from '../registry/store.js';
import { jsonOutput } from '../util/json-output.js';

export interface PortsShowOptions extends GlobalOptions {
  ref: string;
  host?: string;
}

/** A release as data: the shared release shape, plus who else uses its ports and how it matched. */
function describe(registry: Registry, match: ReleaseMatch) {
  const { release } = match;
  const aliases = registry.hosts[match.host]!.releases.filter((r) => r.server !== undefined && r.server === release.tag).map(displayName);
  return {
    ...releaseJson(match.host, release, registry.internalPorts),
    clientOnlyReleases: aliases,
    matched: { by: match.kind, ...(match.field ? { port: PORT_COLUMN[match.field] } : {}) },
  };
}

/** Finds releases by tag, version, label, compose project or port; a shared port lists every release using it. */
export async function portsShow(options: PortsShowOptions, ctx: Context): Promise<number> {
  const { registry } = await loadRegistry({ cwd: ctx.cwd, explicit: options.registry, env: ctx.env });
  const matches = findReleases(registry, options.ref, { host: options.host });
  if (matches.length === 0) throw unknownReleaseError(registry, options.ref, options.host);
  const views = matches.map((m) => describe(registry, m));
  if (options.json) {
    // An object, not the bare array: every --json output carries schemaVersion (docs/json.md).
    ctx.logger.data(jsonOutput({ releases: views }));
    return 0;
  }
  const { bold } = ctx.logger.color;
  matches.forEach((match, i) => {
    const view = views[i]!;
    if (i > 0) ctx.logger.data('');
    const head = match.field ? `${options.ref} is the ${PORT_COLUMN[match.field]} port of ${describeMatch(match)}` : describeMatch(match);
    ctx.logger.data(bold(head));
    if (view.version) ctx.logger.data(`  version   ${view.version} (compose project ${view.project})`);
    ctx.logger.data(`  ports     ${view.ports.map((p) => `${p.name} ${p.external}:${p.internal}`).join(', ') || 'none'}`);
    if (view.notes) ctx.logger.data(`  notes     ${view.notes}`);
    if (view.server) ctx.logger.data(`  client-only release; its server is ${view.server}`);
    if (view.clientOnlyReleases.length) ctx.logger.data(`  client-only releases on these ports: ${view.clientOnlyReleases.join(', ')}`);
    for (const [port, reason] of Object.entries(view.sharedPorts)) ctx.logger.data(`  shares    ${port} (${reason})`);
  });
  return 0;
}
