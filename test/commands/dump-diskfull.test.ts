import { mkdir, mkdtemp, readdir, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { createReadOnlyAccount, createTestDatabase, fillJobmon, makeDumpWorld, V, type DumpWorld, type TestDatabase } from '../dump/fixture.js';

/**
 * A dump whose file cannot be written: a full disk (a 64 kB tmpfs mounted
 * for this file, as root) and a file-size limit (RLIMIT_FSIZE via prlimit:
 * Node ignores SIGXFSZ and gets EFBIG, the client gets the signal). Either
 * way: exit 1, one line, and nothing left behind, no .part and no output.
 */
const FULL = await mkdtemp(path.join(tmpdir(), 'jobmon-ops-full-'));
const mounted = await execa('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0755', 'jobmon-ops-test-full', FULL], { reject: false, stdin: 'ignore' }).then((r) => r.exitCode === 0);
const FSIZE = 64 * 1024;

let world: DumpWorld;
let source: TestDatabase;
let ro: Awaited<ReturnType<typeof createReadOnlyAccount>>;

/** Runs the CLI as a user does, optionally under a file-size limit. */
async function dump(args: string[], options: { fsize?: number } = {}) {
  const argv = [process.execPath, BIN, 'dump', `release-${V.source}`, '--user', ro.user, ...args];
  const [file, ...rest] = options.fsize === undefined ? argv : ['prlimit', `--fsize=${options.fsize}`, '--', ...argv];
  const result = await execa(file!, rest, { cwd: world.cwd, env: { NO_COLOR: '1', ...world.env }, reject: false, stdin: 'ignore', timeout: 60_000 });
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(async () => {
  world = await makeDumpWorld();
  source = await createTestDatabase('dump_full');
  await fillJobmon(source.name, 1000);
  ro = await createReadOnlyAccount(source.name);
  await world.record(V.source, source.name, { [ro.user]: ro.password });
}, 120_000);

afterAll(async () => {
  if (mounted) await execa('umount', [FULL], { reject: false });
  await rmdir(FULL).catch(() => rm(FULL, { recursive: true, force: true }));
  await ro?.drop();
  await source?.drop();
  await world?.cleanup();
});

describe.runIf(mounted)('jobmon-ops dump onto a full disk (a 64 kB tmpfs)', () => {
  it.each([
    ['plain SQL, written by the client', 'full.sql', []],
    ['gzip, written by Node', 'full.sql.gz', ['--gzip']],
  ])('%s: exit 1, one line naming the full disk, no .part and no output file', async (_what, name, extra) => {
    const out = path.join(FULL, name);
    const result = await dump(['--out', out, ...extra]);
    expect(result.exitCode, result.stderr).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([`error: writing the dump to ${FULL} failed: no space left on device (ENOSPC); no file was written`]);
    expect(await readdir(FULL)).toEqual([]);
  });
});

describe('jobmon-ops dump over a file-size limit (prlimit --fsize)', () => {
  it.each([
    ['plain SQL, written by the client', 'big.sql', []],
    ['gzip, written by Node', 'big.sql.gz', ['--gzip']],
  ])('%s: exit 1, one line naming the limit, no .part and no output file', async (_what, name, extra) => {
    const dir = path.join(world.cwd, `limited-${name}`);
    await mkdir(dir);
    const result = await dump(['--out', path.join(dir, name), ...extra], { fsize: FSIZE });
    expect(result.exitCode, result.stderr).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([`error: writing the dump to ${dir} failed: file too large (EFBIG); no file was written`]);
    expect(await readdir(dir)).toEqual([]);
  });
});
