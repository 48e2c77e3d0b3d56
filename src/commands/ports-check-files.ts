import path from 'node:path';
import { execa } from 'execa';
import { UsageError } from '../errors.js';
import type { LoadedRegistry } from '../registry/store.js';
import { childEnv } from '../util/child-env.js';

const LOCKFILES = new Set([
  'package-lock.json',
  'npm-shrinkwrap.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  'poetry.lock',
  'Pipfile.lock',
  'Cargo.lock',
  'Gemfile.lock',
  'composer.lock',
  'go.sum',
]);

/** The git-tracked files of a checkout, relative to it. */
export async function listTrackedFiles(checkout: string): Promise<string[]> {
  const result = await execa('git', ['ls-files', '-z', '--cached'], { cwd: checkout, reject: false, stdin: 'ignore', env: childEnv(process.env), extendEnv: false });
  if (result.exitCode !== 0) {
    throw new UsageError(`${checkout} is not a git checkout (git ls-files failed); pass --dir with the path of a clone`);
  }
  return result.stdout.split('\0').filter(Boolean);
}

/** ports.json itself, lockfiles, and the files or folders the registry lists under `history`. */
export function isSkippedFile(absolute: string, loaded: LoadedRegistry): boolean {
  const name = path.basename(absolute);
  if (name === 'ports.json' || path.resolve(absolute) === path.resolve(loaded.file)) return true;
  if (LOCKFILES.has(name) || name.endsWith('.lock')) return true;
  const relative = path.relative(loaded.root, absolute).split(path.sep).join('/');
  return loaded.registry.history.some((entry) => (entry.endsWith('/') ? relative.startsWith(entry) : relative === entry));
}
