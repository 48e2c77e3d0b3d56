import type { Context, GlobalOptions } from '../context.js';
import { loadRegistry } from '../registry/store.js';
import { assertKnownHost } from '../registry/resolve.js';
import { renderTables } from '../registry/tables.js';
import { jsonOutput } from '../util/json-output.js';

export interface PortsRenderOptions extends GlobalOptions {
  format?: 'rst' | 'markdown';
  /** Only this Docker host. */
  host?: string;
}

/**
 * `ports render`: the docs' port tables, generated from the registry, ready to
 * paste into the docs (and to read back with `ports import`).
 */
export async function portsRender(options: PortsRenderOptions, ctx: Context): Promise<number> {
  const loaded = await loadRegistry({ cwd: ctx.cwd, explicit: options.registry, env: ctx.env });
  const { registry } = loaded;
  if (options.host !== undefined) assertKnownHost(registry, options.host);
  if (loaded.problems.length > 0) {
    // Rendering still helps to see the problem; say so on stderr, not in the tables.
    ctx.logger.warn(`warning: the registry breaks ${loaded.problems.length} rule(s); jobmon-ops ports check lists them`);
  }
  const format = options.format ?? 'rst';
  const text = renderTables(registry, { format, host: options.host });
  if (options.json) {
    ctx.logger.data(jsonOutput({ format, text }));
  } else if (text === '') {
    ctx.logger.info('the registry has no hosts yet; add releases with jobmon-ops ports bump or ports import');
  } else {
    ctx.logger.data(text);
  }
  return 0;
}
