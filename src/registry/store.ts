import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { errnoCode, findGitRoot, writeFilesAtomic, type FileWrite } from '../util/fs.js';
import { formatRegistry } from './format.js';
import { withRegistryLock, type LockOptions } from './lock.js';
import { parseRegistry } from './parse.js';
import { formatProblem, type Problem, type Registry } from './schema.js';
import { resolveWriteTarget } from './write-target.js';

export const REGISTRY_FILE = 'ports.json';

export interface LocateOptions {
  cwd: string;
  /** `--registry`, if given. */
  explicit?: string;
  env: NodeJS.ProcessEnv;
}

/**
 * Where the registry is: `--registry`, else `JOBMON_OPS_REGISTRY`, else
 * `ports.json` in the current folder, else in its git root. Returns the path
 * the file would have even when it does not exist yet (for `ports import`).
 */
export function locateRegistry({ cwd, explicit, env }: LocateOptions): { file: string; exists: boolean } {
  const given = explicit ?? (env.JOBMON_OPS_REGISTRY || undefined);
  if (given) {
    const file = path.resolve(cwd, given);
    return { file, exists: existsSync(file) };
  }
  const here = path.join(cwd, REGISTRY_FILE);
  if (existsSync(here)) return { file: here, exists: true };
  const root = findGitRoot(cwd);
  const atRoot = root ? path.join(root, REGISTRY_FILE) : undefined;
  if (atRoot && existsSync(atRoot)) return { file: atRoot, exists: true };
  return { file: here, exists: false };
}

export interface LoadedRegistry {
  file: string;
  /** The folder the registry's reference and history paths are relative to. */
  root: string;
  text: string;
  registry: Registry;
  /** Rule problems; schema problems are thrown. */
  problems: Problem[];
}

/** A path as the user would type it: relative to `cwd` when inside it. */
export function shortPath(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') ? rel : file;
}

/** Reads and validates the registry, or throws a UsageError naming the problem and the fix. */
export async function loadRegistry(options: LocateOptions): Promise<LoadedRegistry> {
  const { file, exists } = locateRegistry(options);
  const shown = shortPath(file, options.cwd);
  if (!exists) {
    throw new UsageError(
      `no port registry at ${shown}; run in a jobmon checkout, pass --registry FILE, or create one with jobmon-ops ports import <file.rst>`,
    );
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${shown} (${errnoCode(error) ?? (error as Error).message}); check the path and its permissions`);
  }
  const parsed = parseRegistry(text);
  if (!parsed.ok) {
    const [first, ...rest] = parsed.problems;
    const more = rest.length > 0 ? ` (and ${rest.length} more)` : '';
    throw new UsageError(`${shown}: ${formatProblem(first!)}${more}; fix the file (it was not changed)`, parsed.problems.map(formatProblem));
  }
  return { file, root: path.dirname(file), text, registry: parsed.registry, problems: parsed.problems };
}

/** Refuses to go on from a registry that breaks a rule: an invalid file is never rewritten. */
export function assertConsistent(loaded: LoadedRegistry, cwd: string): void {
  if (loaded.problems.length === 0) return;
  const shown = shortPath(loaded.file, cwd);
  throw new UsageError(
    `${shown} breaks ${loaded.problems.length} registry rule(s), first: ${formatProblem(loaded.problems[0]!)}; fix it first (jobmon-ops ports check lists them all)`,
    loaded.problems.map(formatProblem),
  );
}

/**
 * Writes the registry (and any other files of the same change) atomically, in
 * stable formatting; a file reached through a symlink is written through it.
 */
export async function saveRegistry(file: string, registry: Registry, alsoWrite: FileWrite[] = []): Promise<void> {
  const writes = [...alsoWrite, { file, text: formatRegistry(registry) }];
  await writeFilesAtomic(await Promise.all(writes.map(async (write) => ({ ...write, file: await resolveWriteTarget(write.file) }))));
}

/**
 * Runs a read-change-write of the registry at `file` under its lock, so
 * that concurrent writers take turns instead of losing each other's change.
 * `work` must read the registry itself, inside the lock.
 */
export async function withRegistryWrite<T>(file: string, options: LockOptions, work: () => Promise<T>): Promise<T> {
  return withRegistryLock(`${await resolveWriteTarget(file)}.lock`, options, work);
}
