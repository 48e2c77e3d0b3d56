import type { Context, GlobalOptions } from '../context.js';
import { assertKnownHost } from '../registry/resolve.js';
import { renderTables } from '../registry/tables.js';
import { loadRegistry } from '../registry/store.js';
import { formatProblem } from '../registry/schema.js';

export interface PortsListOptions extends GlobalOptions {
  host?: string;
}

/** The registry as the docs' tables (or JSON), host by host. */
export async function portsList(options: PortsListOptions, ctx: Context): Promise<number> {
  const { registry, problems } = await loadRegistry({ cwd: ctx.cwd, explicit: options.registry, env: ctx.env });
  if (options.host !== undefined) assertKnownHost(registry, options.host);
  const hosts = Object.fromEntries(Object.entries(registry.hosts).filter(([name]) => options.host === undefined || name === options.host));
  if (options.json) {
    ctx.logger.data(JSON.stringify({ internalPorts: registry.internalPorts, hosts }, null, 2));
  } else {
    ctx.logger.data(renderTables(registry, { format: 'rst', host: options.host }).trimEnd());
  }
  // Listing still works on a registry that breaks a rule, but says so.
  for (const problem of problems) ctx.logger.warn(`warning: ${formatProblem(problem)} (see jobmon-ops ports check)`);
  return 0;
}
