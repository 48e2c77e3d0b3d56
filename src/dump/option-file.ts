import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { optionFileText, type DbLogin } from './argv.js';

/**
 * Runs `use` with a temporary option file holding `login`: mode 0600 in a
 * private 0700 folder, removed when `use` settles, whether it succeeds,
 * fails or is interrupted, and on a process exit meanwhile.
 */
export async function withOptionFile<T>(login: DbLogin, use: (file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'jobmon-ops-client-'));
  const removeNow = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeNow);
  try {
    const file = path.join(dir, 'client.cnf');
    await writeFile(file, optionFileText(login), { mode: 0o600, flag: 'wx' });
    return await use(file);
  } finally {
    process.off('exit', removeNow);
    await rm(dir, { recursive: true, force: true });
  }
}
