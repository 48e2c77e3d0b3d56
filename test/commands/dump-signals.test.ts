import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import type { Connection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli } from '../helpers/cli.js';
import { adminConnection, quoteId, TEST_DB } from '../helpers/mariadb.js';
import { childrenOf, stillRunning } from '../helpers/procs.js';
import { createReadOnlyAccount, createTestDatabase, makeDumpWorld, V, type DumpWorld, type TestDatabase } from '../dump/fixture.js';

/**
 * dump with the real mariadb-dump against the test instance: an existing
 * output is kept unless --force; SIGHUP and SIGTERM stop a running dump as
 * Ctrl-C does, leaving neither the option file nor the `.part` file.
 */
let world: DumpWorld;
let db: TestDatabase;
let ro: Awaited<ReturnType<typeof createReadOnlyAccount>>;
const DUMP_CLIENT = /^\S*mariadb-dump --defaults-file=(\S+) /;

beforeAll(async () => {
  world = await makeDumpWorld();
  db = await createTestDatabase('dump_sig');
  const admin = await adminConnection(db.name);
  await admin.query('CREATE TABLE t (a INT PRIMARY KEY)').then(() => admin.query('INSERT INTO t VALUES (1), (2)')).finally(() => admin.end());
  ro = await createReadOnlyAccount(db.name);
  await world.record(V.source, db.name, { [ro.user]: ro.password });
});

afterAll(async () => {
  await ro?.drop();
  await db?.drop();
  await world?.cleanup();
});

const dump = (...args: string[]) => runCli(['dump', `release-${V.source}`, '--user', ro.user, ...args], { cwd: world.cwd, env: world.env, timeoutMs: 60_000 });

describe('dump onto an existing file', () => {
  it('without --force: exit 2, one line, the file and the folder unchanged; with --force: replaced by a complete dump', async () => {
    const earlier = '-- an earlier dump, perhaps the only one\n';
    for (const name of ['keep.sql', `dbs_${TEST_DB.port}_dump.sql`]) await writeFile(path.join(world.cwd, name), earlier);
    const before = (await world.files()).sort();
    const refused = await dump('--out', 'keep.sql');
    expect(refused.exitCode, refused.stderr).toBe(2);
    expect(refused.stderr.trim().split('\n')).toEqual(['error: keep.sql exists; pass --force to replace it, or --out another file']);
    const byDefault = await dump();
    expect(byDefault.exitCode).toBe(2);
    expect(byDefault.stderr.trim().split('\n')).toEqual([`error: dbs_${TEST_DB.port}_dump.sql exists; pass --force to replace it, or --out another file`]);
    expect((await world.files()).sort()).toEqual(before);
    expect(await readFile(path.join(world.cwd, 'keep.sql'), 'utf8')).toBe(earlier);

    const forced = await dump('--out', 'keep.sql', '--force');
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(await readFile(path.join(world.cwd, 'keep.sql'), 'utf8')).toMatch(/INSERT INTO `t` VALUES[^]*-- Dump completed on /);
    expect((await world.files()).sort()).toEqual(before);
  });
});

describe('dump stopped by a signal', () => {
  /** True while `user`'s dump waits for the table lock the test holds. */
  async function waitingOnLock(admin: Connection, user: string): Promise<boolean> {
    const [rows] = await admin.query("SELECT 1 FROM information_schema.PROCESSLIST WHERE USER = ? AND STATE = 'Waiting for table metadata lock'", [user]);
    return (rows as unknown[]).length > 0;
  }

  it.each([
    ['SIGHUP', 129],
    ['SIGTERM', 143],
  ] as const)('%s while mariadb-dump runs: exit %i, the client stopped, no option file, no .part, no output', { timeout: 120_000 }, async (signal, code) => {
    const out = `stopped-${signal}.sql`;
    const before = (await world.files()).sort();
    // A write lock on the table holds the real client mid-dump, its header already in the .part file.
    const locker = await adminConnection();
    await locker.query(`LOCK TABLES ${quoteId(db.name)}.t WRITE`);
    const watcher = await adminConnection();
    try {
      const child = execa(process.execPath, [BIN, 'dump', `release-${V.source}`, '--user', ro.user, '--out', out], { cwd: world.cwd, env: { NO_COLOR: '1', ...world.env }, reject: false, stdin: 'ignore' });
      let exited = false;
      void child.finally(() => (exited = true));
      let client: { pid: number; cmdline: string } | undefined;
      while (!exited && !(client && (await waitingOnLock(watcher, ro.user)))) client = (await childrenOf(child.pid!)).find((p) => DUMP_CLIENT.test(p.cmdline));
      expect(exited, 'the dump ended before it could be stopped').toBe(false);
      const optionFile = DUMP_CLIENT.exec(client!.cmdline)![1]!;
      expect((await stat(optionFile)).mode & 0o777).toBe(0o600);
      const part = (await world.files()).filter((f) => !before.includes(f));
      expect(part).toEqual([expect.stringMatching(new RegExp(`^\\.${out.replace('.', '\\.')}\\.[0-9a-f]{12}\\.part$`))]);

      child.kill(signal);
      const result = await child;
      expect(result.exitCode, result.stderr).toBe(code);
      expect(result.stderr.trim().split('\n').at(-1)).toBe('error: interrupted; the dump was stopped and its files removed');
      await expect(stat(path.dirname(optionFile))).rejects.toMatchObject({ code: 'ENOENT' });
      expect((await world.files()).sort()).toEqual(before);
      expect(await stillRunning(client!.pid, DUMP_CLIENT)).toBe(false);
      expect(`${result.stdout}${result.stderr}`).not.toContain(ro.password);
    } finally {
      await locker.query('UNLOCK TABLES').finally(() => locker.end());
      await watcher.end();
    }
  });
});
