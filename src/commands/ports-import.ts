import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Context, GlobalOptions } from '../context.js';
import { UsageError } from '../errors.js';
import { formatRegistry } from '../registry/format.js';
import { emptyRegistry, mergeImport } from '../registry/import-merge.js';
import { checkRules } from '../registry/rules.js';
import { formatProblem, type Problem } from '../registry/schema.js';
import { loadRegistry, locateRegistry, saveRegistry, shortPath, withRegistryWrite } from '../registry/store.js';
import { parseTables, type ImportedHost } from '../registry/tables.js';
import { errnoCode } from '../util/fs.js';
import { jsonOutput } from '../util/json-output.js';

export interface PortsImportOptions extends GlobalOptions {
  /** The file with the tables (RST or Markdown). */
  file: string;
  dryRun?: boolean;
}

/** The table line a rule problem comes from, when it is in an imported host. */
function tableLine(problem: Problem, hosts: ImportedHost[]): number | undefined {
  const match = /^hosts\.(.+)\.releases\[(\d+)\]/.exec(problem.path);
  if (!match) return undefined;
  return hosts.find((host) => host.name === match[1])?.rowLines[Number(match[2])];
}

function ruleError(problems: Problem[], hosts: ImportedHost[], shown: string): UsageError {
  const describe = (problem: Problem) => {
    const line = tableLine(problem, hosts);
    return line === undefined ? formatProblem(problem) : `line ${line}: ${formatProblem(problem)}`;
  };
  const first = problems[0]!;
  const next =
    tableLine(first, hosts) === undefined
      ? `fix ${shown} first (jobmon-ops ports check lists its problems)`
      : 'fix the table and import again';
  return new UsageError(
    `the imported tables would leave ${shown} breaking ${problems.length} registry rule(s), first: ${describe(first)}; ${next} (nothing was written)`,
    problems.map(describe),
  );
}

/**
 * `ports import <file>`: reads the docs' port tables into the registry,
 * replacing the releases of each host the file has a table for, and creating
 * the registry if there is none. The result must pass the registry rules
 * before anything is written; `--dry-run` prints it instead.
 */
export async function portsImport(options: PortsImportOptions, ctx: Context): Promise<number> {
  const source = path.resolve(ctx.cwd, options.file);
  let text: string;
  try {
    text = await readFile(source, 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read ${options.file} (${errnoCode(error) ?? (error as Error).message}); pass the file that holds the port tables (RST or Markdown)`,
    );
  }
  const { hosts } = parseTables(text);
  if (hosts.length === 0) {
    throw new UsageError(
      `no port tables in ${options.file} (a table's header row starts with "Version", as jobmon-ops ports render prints it); fix the file and import again`,
    );
  }

  const locate = { cwd: ctx.cwd, explicit: options.registry, env: ctx.env };
  const { file } = locateRegistry(locate);
  const shown = shortPath(file, ctx.cwd);
  // Read, merge and write under the registry lock, so a concurrent bump's release is not lost.
  const merge = async () => {
    // An invalid registry makes loadRegistry throw: it is never rewritten.
    const loaded = locateRegistry(locate).exists ? await loadRegistry(locate) : undefined;
    const merged = mergeImport(loaded?.registry ?? emptyRegistry(), hosts);
    const problems = checkRules(merged);
    if (problems.length > 0) throw ruleError(problems, hosts, shown);
    const newText = formatRegistry(merged);
    const changed = newText !== loaded?.text;
    if (!options.dryRun && changed) await saveRegistry(file, merged);
    return { merged, newText, changed };
  };
  const onWait = (holder: string) => ctx.logger.warn(`waiting for the registry lock, held by ${holder}`);
  const { merged, newText, changed } = options.dryRun ? await merge() : await withRegistryWrite(file, { command: 'ports import', onWait }, merge);
  const summary = hosts.map((host) => ({ host: host.name, releases: host.releases.length }));

  if (options.json) {
    const written = !options.dryRun && changed;
    ctx.logger.data(jsonOutput({ file, written, hosts: summary, ...(options.dryRun ? { registry: merged } : {}) }));
  } else if (options.dryRun) {
    ctx.logger.data(newText);
  } else {
    for (const { host, releases } of summary) ctx.logger.info(`${host}: ${releases} release${releases === 1 ? '' : 's'}`);
    ctx.logger.info(changed ? `wrote ${shown}` : `${shown} already matches the tables; nothing to write`);
  }
  return 0;
}
