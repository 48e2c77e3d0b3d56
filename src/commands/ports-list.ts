import type { Context, GlobalOptions } from '../context.js';
import { assertKnownHost } from '../registry/resolve.js';
import { renderTables } from '../registry/tables.js';
import { loadRegistry } from '../registry/store.js';
import { formatProblem, PORT_FIELDS, type Release } from '../registry/schema.js';
import { releaseJson } from '../registry/release-json.js';
import { jsonOutput } from '../util/json-output.js';

export interface PortsListOptions extends GlobalOptions {
  host?: string;
}

/** A row's port cells as the registry writes them; absent cells stay absent. */
const cells = (r: Release) => Object.fromEntries(PORT_FIELDS.filter((f) => r[f] !== undefined).map((f) => [f, r[f]]));

/** The registry as the docs' tables (or JSON), host by host. */
export async function portsList(options: PortsListOptions, ctx: Context): Promise<number> {
  const { registry, problems } = await loadRegistry({ cwd: ctx.cwd, explicit: options.registry, env: ctx.env });
  if (options.host !== undefined) assertKnownHost(registry, options.host);
  const hosts = Object.fromEntries(Object.entries(registry.hosts).filter(([name]) => options.host === undefined || name === options.host));
  if (options.json) {
    // Each row in the shared release shape (as ports show prints it), plus the registry's own
    // port cells (jqs, jsm1, ...), which keep placeholders such as "n/a" that the shape leaves out.
    const asJson = Object.fromEntries(Object.entries(hosts).map(([name, host]) => [name, {
      releases: host.releases.map((r) => ({ ...releaseJson(name, r, registry.internalPorts), ...cells(r) })),
    }]));
    ctx.logger.data(jsonOutput({ internalPorts: registry.internalPorts, hosts: asJson }));
  } else {
    ctx.logger.data(renderTables(registry, { format: 'rst', host: options.host }).trimEnd());
  }
  // Listing still works on a registry that breaks a rule, but says so.
  for (const problem of problems) ctx.logger.warn(`warning: ${formatProblem(problem)} (see jobmon-ops ports check)`);
  return 0;
}
