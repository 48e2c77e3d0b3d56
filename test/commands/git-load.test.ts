import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';

/**
 * simple-git is loaded by the first git command only (src/util/git.ts imports
 * it lazily): --help, ports list and the commands that never run git (status,
 * start, stop, which share code with deploy) do not load it. Reads the build
 * (npm run build), as "start-up stays lean" in deploy.test.ts does.
 */
const cli = path.join(REPO_ROOT, 'dist/cli.js');
/** A string only simple-git's code holds. */
const SIMPLE_GIT = 'Cannot use simple-git on a directory that does not exist';

/** Files a built module loads before it runs (its static imports, transitively), or may load at all (`lazy`: import() too). */
async function graph(entry: string, lazy = false, seen = new Set<string>()): Promise<Set<string>> {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  const text = await readFile(entry, 'utf8');
  const imports = lazy ? /(?:from|import)\s*\(?"(\.[^"]+)"/g : /(?:from|import)\s*"(\.[^"]+)"/g;
  for (const [, spec] of text.matchAll(imports)) await graph(path.resolve(path.dirname(entry), spec!), lazy, seen);
  return seen;
}

/** The chunk a command's entry in the lazy COMMANDS map imports. */
async function commandChunk(name: string): Promise<string> {
  const spec = (await readFile(cli, 'utf8')).match(new RegExp(`import\\("(\\./chunks/${name}-[^"]+)"\\)`))![1]!;
  return path.resolve(path.dirname(cli), spec);
}

async function holdsSimpleGit(files: Set<string>): Promise<boolean> {
  for (const file of files) if ((await readFile(file, 'utf8')).includes(SIMPLE_GIT)) return true;
  return false;
}

describe('simple-git loads only when git runs', () => {
  it.each(['ports-list', 'status', 'lifecycle', 'deploy', 'ports-check'])('the %s chunk and what it imports hold none of it', async (name) => {
    expect(await holdsSimpleGit(await graph(cli))).toBe(false);
    expect(await holdsSimpleGit(await graph(await commandChunk(name)))).toBe(false);
  });

  it('deploy and ports check reach it by a dynamic import; ports list never does', async () => {
    expect(await holdsSimpleGit(await graph(await commandChunk('deploy'), true))).toBe(true);
    expect(await holdsSimpleGit(await graph(await commandChunk('ports-check'), true))).toBe(true);
    expect(await holdsSimpleGit(await graph(await commandChunk('ports-list'), true))).toBe(false);
  });
});
