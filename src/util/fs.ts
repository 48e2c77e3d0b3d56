import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

/** A file to write: its path and its full new contents. */
export interface FileWrite {
  file: string;
  text: string;
}

async function writeTemp(target: string, text: string): Promise<string> {
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  let mode = 0o644;
  try {
    mode = (await stat(target)).mode & 0o777;
  } catch {
    // a new file gets the default mode
  }
  const handle = await open(temp, 'wx', mode);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  return temp;
}

/**
 * Writes several files so that each is replaced whole or not at all: every
 * new content goes to a temporary file beside its target first, and only when
 * all of them are written are they renamed over their targets. A failure
 * before the renames leaves every target untouched.
 */
export async function writeFilesAtomic(writes: FileWrite[]): Promise<void> {
  const temps: string[] = [];
  try {
    for (const { file, text } of writes) temps.push(await writeTemp(file, text));
  } catch (error) {
    await Promise.all(temps.map((temp) => rm(temp, { force: true })));
    throw error;
  }
  for (const [index, { file }] of writes.entries()) await rename(temps[index]!, file);
}

/** The nearest folder at or above `start` that holds a `.git` entry. */
export function findGitRoot(start: string): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    if (existsSync(path.join(dir, '.git'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The `code` of a Node system error, if it is one. */
export function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}
