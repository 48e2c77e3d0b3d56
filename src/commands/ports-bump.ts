import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../config.js';
import type { Context, GlobalOptions } from '../context.js';
import { UsageError } from '../errors.js';
import { planBump, type BumpPlan } from '../registry/bump.js';
import { formatRelease } from '../registry/format.js';
import { formatEdit, rewritePorts, type PortEdit } from '../registry/references.js';
import { allReleases, newestRelease } from '../registry/release.js';
import type { SchemeName } from '../registry/schemes.js';
import { PORT_COLUMN, type Registry } from '../registry/schema.js';
import { assertConsistent, loadRegistry, locateRegistry, saveRegistry, withRegistryWrite } from '../registry/store.js';
import { errnoCode, type FileWrite } from '../util/fs.js';
import { jsonOutput } from '../util/json-output.js';

export interface PortsBumpOptions extends GlobalOptions {
  release: string;
  host?: string;
  clientOnly?: boolean;
  scheme?: SchemeName;
  label?: string;
  allowSharedPort?: string;
  dryRun?: boolean;
}

/** `--host`, else the configured default host, else the host of the newest release. */
async function pickHost(registry: Registry, options: PortsBumpOptions, ctx: Context): Promise<string> {
  if (options.host) return options.host;
  const config = await loadConfig(ctx.env);
  if (config.defaultHost) return config.defaultHost;
  const newest = newestRelease(allReleases(registry));
  if (!newest) throw new UsageError('the registry has no release with a semver tag; pass --host');
  return newest.host;
}

/** Reads every reference file and rewrites the previous release's ports in it; a missing file stops everything. */
async function planReferenceWrites(root: string, files: string[], plan: BumpPlan): Promise<{ writes: FileWrite[]; edits: PortEdit[] }> {
  const writes: FileWrite[] = [];
  const edits: PortEdit[] = [];
  for (const file of files) {
    const absolute = path.join(root, file);
    let text: string;
    try {
      text = await readFile(absolute, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read reference file ${file} listed in ports.json (${errnoCode(error) ?? 'unreadable'}); restore it or remove it from "references"`);
    }
    const result = rewritePorts(file, text, plan.portChanges);
    for (const edit of result.edits) edits.push(edit); // not push(...): a huge file's edits would overflow the call stack
    if (result.edits.length > 0) writes.push({ file: absolute, text: result.text });
  }
  return { writes, edits };
}

/** Reads the registry, plans the bump and (unless a dry run) writes it: under the lock, the whole of it. */
async function bump(options: PortsBumpOptions, ctx: Context) {
  const loaded = await loadRegistry({ cwd: ctx.cwd, explicit: options.registry, env: ctx.env });
  assertConsistent(loaded, ctx.cwd);
  const host = await pickHost(loaded.registry, options, ctx);
  const plan = planBump(loaded.registry, { ...options, host });
  const { writes, edits } = await planReferenceWrites(loaded.root, loaded.registry.references, plan);
  if (!options.dryRun) await saveRegistry(loaded.file, plan.registry, writes);
  return { loaded, host, plan, edits };
}

/** Registers the next release in ports.json and moves the reference files to its ports. */
export async function portsBump(options: PortsBumpOptions, ctx: Context): Promise<number> {
  const { file, exists } = locateRegistry({ cwd: ctx.cwd, explicit: options.registry, env: ctx.env });
  const onWait = (holder: string) => ctx.logger.warn(`waiting for the registry lock, held by ${holder}`);
  // A dry run writes nothing, and a missing registry gets loadRegistry's own error: no lock for either.
  const { loaded, host, plan, edits } =
    options.dryRun || !exists ? await bump(options, ctx) : await withRegistryWrite(file, { command: 'ports bump', onWait }, () => bump(options, ctx));

  if (options.json) {
    ctx.logger.data(jsonOutput({ host, version: plan.version, scheme: plan.scheme, release: plan.release, edits, written: !options.dryRun }));
    return 0;
  }
  const verb = options.dryRun ? 'would register' : 'registered';
  const ports = plan.portChanges.map((c) => `${PORT_COLUMN[c.field]} ${c.from} -> ${c.to}`).join(', ');
  const how = plan.scheme === 'client-only' ? `client-only, ports of ${plan.release.server}` : `${plan.scheme} scheme${ports ? `: ${ports}` : ''}`;
  ctx.logger.info(`${verb} ${plan.release.tag} (${plan.release.label}) on ${host} (${how})`);
  ctx.logger.data(`${path.relative(ctx.cwd, loaded.file) || loaded.file}: + ${formatRelease(plan.release)}`);
  for (const edit of edits) ctx.logger.data(formatEdit(edit));
  if (options.dryRun) ctx.logger.info('dry run: nothing was written');
  return 0;
}
