import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import type { Connection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { testEngine } from '../helpers/docker.js';
import { adminConnection, TEST_DB } from '../helpers/mariadb.js';
import { childrenOf, stillRunning } from '../helpers/procs.js';
import { createLoaderAccount, createTestDatabase, makeDumpWorld, V, type DumpWorld, type TestDatabase } from '../dump/fixture.js';

/**
 * restore with the real mariadb client against the test instance, stopped by
 * SIGHUP or SIGTERM while the client runs a statement: it exits 129 or 143,
 * saying the database is partly loaded, with neither the client nor its
 * option file (nor the release's lock) left.
 */
let world: DumpWorld;
let db: TestDatabase;
let loader: Awaited<ReturnType<typeof createLoaderAccount>>;
const LOAD_CLIENT = /^\S*\/mariadb --defaults-file=(\S+) /;
/** A complete dump whose one statement runs until the test stops it. */
const SLOW_DUMP = '-- MariaDB dump 10.19  Distrib 10.11.6-MariaDB\n--\nSELECT SLEEP(600) AS held_by_test;\n-- Dump completed on 2024-01-01  0:00:00\n';
const { docker } = testEngine();

beforeAll(async () => {
  world = await makeDumpWorld();
  db = await createTestDatabase('restore_sig');
  loader = await createLoaderAccount(db.name);
  await world.record(V.source, db.name, { [loader.user]: loader.password });
  await writeFile(path.join(world.cwd, 'slow.sql'), SLOW_DUMP);
});

afterAll(async () => {
  await loader?.drop();
  await db?.drop();
  await world?.cleanup();
});

/** The server threads of `user` that run the held statement. */
async function heldStatements(admin: Connection, user: string): Promise<number[]> {
  const [rows] = await admin.query("SELECT ID AS id FROM information_schema.PROCESSLIST WHERE USER = ? AND INFO LIKE 'SELECT SLEEP(600)%'", [user]);
  return (rows as Array<{ id: number }>).map((r) => Number(r.id));
}

describe('restore stopped by a signal', () => {
  it.each([
    ['SIGHUP', 129],
    ['SIGTERM', 143],
  ] as const)('%s while the client loads: exit %i, one line saying partly loaded, no client, option file or lock left', { timeout: 120_000 }, async (signal, code) => {
    const admin = await adminConnection();
    try {
      const child = execa(process.execPath, [BIN, 'restore', `release-${V.source}`, 'slow.sql', '--yes', '--user', loader.user], {
        cwd: world.cwd, env: { NO_COLOR: '1', ...world.env }, reject: false, stdin: 'ignore',
      });
      let exited = false;
      void child.finally(() => (exited = true));
      let client: { pid: number; cmdline: string } | undefined;
      while (!exited && !(client && (await heldStatements(admin, loader.user)).length > 0)) client = (await childrenOf(child.pid!)).find((p) => LOAD_CLIENT.test(p.cmdline));
      expect(exited, 'the restore ended before it could be stopped').toBe(false);
      const optionFile = LOAD_CLIENT.exec(client!.cmdline)![1]!;
      expect((await stat(optionFile)).mode & 0o777).toBe(0o600);

      child.kill(signal);
      const result = await child;
      expect(result.exitCode, result.stderr).toBe(code);
      expect(result.stderr.trim().split('\n').at(-1)).toBe(
        `error: interrupted: the load into database ${db.name} at 127.0.0.1:${TEST_DB.port} was stopped partway, so it is partly loaded (some tables replaced, others missing or cut short); restore again with --force`,
      );
      await expect(stat(path.dirname(optionFile))).rejects.toMatchObject({ code: 'ENOENT' });
      expect(await stillRunning(client!.pid, LOAD_CLIENT)).toBe(false);
      expect((await world.files()).sort()).toEqual(['slow.sql']);
      expect(`${result.stdout}${result.stderr}`).not.toContain(loader.password);
      // The release's deploy lock, which the load ran under, is gone too.
      const locks = await docker.listContainers({ all: true, filters: { name: ['jobmon0981_deploy_lock'] } });
      expect(locks.map((c) => c.Names)).toEqual([]);
    } finally {
      // The server runs a statement on after its client is gone; end it.
      for (const id of await heldStatements(admin, loader.user)) await admin.query(`KILL ${id}`).catch(() => undefined);
      await admin.end();
    }
  });
});
