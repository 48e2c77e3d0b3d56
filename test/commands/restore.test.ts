import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { adminConnection, quoteId, TEST_DB } from '../helpers/mariadb.js';
import { createTestDatabase, fillJobmon, HOSTS, makeDumpWorld, tableFingerprints, V, type DumpWorld, type TestDatabase } from '../dump/fixture.js';
import { expectJsonOutput } from '../fixtures/json-schemas.js';

let world: DumpWorld;
let source: TestDatabase;
const made: TestDatabase[] = [];
const admin = { [TEST_DB.user]: TEST_DB.password };
const cli = (args: string[]) => runCli(args, { cwd: world.cwd, env: world.env, timeoutMs: 60_000 });

/** A fresh database that the release on the other host restores into (its record names it). */
async function target(prefix: string, accounts: Record<string, string> = admin): Promise<TestDatabase> {
  const db = await createTestDatabase(prefix);
  made.push(db);
  await world.record(V.other, db.name, accounts);
  return db;
}

const tableCount = async (database: string) => Object.keys(await tableFingerprints(database)).length;

beforeAll(async () => {
  world = await makeDumpWorld();
  source = await createTestDatabase('restore_src');
  await fillJobmon(source.name, 200);
  await world.record(V.source, source.name, admin);
  for (const extra of [[], ['--gzip']]) {
    const dumped = await cli(['dump', `release-${V.source}`, '--user', TEST_DB.user, ...extra]);
    if (dumped.exitCode !== 0) throw new Error(dumped.stderr);
  }
}, 120_000);

afterAll(async () => {
  for (const db of [source, ...made]) await db?.drop();
  await world?.cleanup();
});

const dump = `dbs_${TEST_DB.port}_dump.sql`;

describe('jobmon-ops restore', () => {
  it('without a terminal and without --yes: refuses, exit 2, nothing changed', async () => {
    const db = await target('restore_noyes');
    const result = await cli(['restore', `release-${V.other}`, dump, '--user', TEST_DB.user]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim()).toBe(`error: restore replaces tables of release-${V.other}'s database and there is no terminal to confirm on; pass --yes to confirm`);
    expect(await tableCount(db.name)).toBe(0);
  });

  it('refuses a database in use (task_dag has rows) unless --force, which then loads the dump', async () => {
    const db = await target('restore_inuse');
    await fillJobmon(db.name, 10);
    const before = await tableFingerprints(db.name);
    const refused = await cli(['restore', `release-${V.other}`, dump, '--yes', '--user', TEST_DB.user]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr.trim()).toBe(
      `error: database ${db.name} of release-${V.other} at 127.0.0.1:${TEST_DB.port} is in use (task_dag has rows); restore refuses to load over Jobmon data unless --force`,
    );
    expect(await tableFingerprints(db.name)).toEqual(before);
    const forced = await cli(['restore', `release-${V.other}`, dump, '--yes', '--force', '--user', TEST_DB.user]);
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(await tableFingerprints(db.name)).toEqual(await tableFingerprints(source.name));
  });

  it('loads a .sql.gz dump into a fresh database by port and host', async () => {
    const db = await target('restore_gz');
    const result = await cli(['restore', String(TEST_DB.port), `${dump}.gz`, '--host', HOSTS.other, '--yes', '--user', TEST_DB.user, '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(expectJsonOutput('restore', result.stdout)).toMatchObject({ release: `release-${V.other}`, database: db.name, user: TEST_DB.user });
    expect(await tableFingerprints(db.name)).toEqual(await tableFingerprints(source.name));
  });

  it('refuses a cut-short dump, a cut-short .gz and a file that is no dump (exit 2), before logging in', async () => {
    const db = await target('restore_bad', { [TEST_DB.user]: 'not-even-tried' });
    const sql = await readFile(path.join(world.cwd, dump));
    const gz = await readFile(path.join(world.cwd, `${dump}.gz`));
    await writeFile(path.join(world.cwd, 'cut.sql'), sql.subarray(0, sql.length - 200));
    await writeFile(path.join(world.cwd, 'cut.sql.gz'), gz.subarray(0, gz.length - 100));
    await writeFile(path.join(world.cwd, 'notes.txt'), 'SELECT 1;\n-- Dump completed on 2024-01-01\n');
    const expected: Record<string, RegExp> = {
      'cut.sql': /^error: cut\.sql does not end with "-- Dump completed": the dump was cut short; make a new one$/,
      'cut.sql.gz': /^error: cut\.sql\.gz is not a readable gzip file \(unexpected end of file\); was it cut short\?$/,
      'notes.txt': /^error: notes\.txt is not a mariadb-dump or mysqldump dump \(no "-- MariaDB dump" header line\)$/,
      'missing.sql': /^error: cannot read missing\.sql \(ENOENT\); check the path$/,
    };
    for (const [file, message] of Object.entries(expected)) {
      const result = await cli(['restore', `release-${V.other}`, file, '--yes', '--user', TEST_DB.user]);
      expect(result.exitCode, file).toBe(2);
      expect(result.stderr.trim()).toMatch(message);
    }
    expect(await tableCount(db.name)).toBe(0);
  });

  it('a wrong password: one line, exit 1, the password never shown', async () => {
    const db = await target('restore_pw', { [TEST_DB.user]: 'WRONG-SENTINEL-pw' });
    const result = await cli(['restore', `release-${V.other}`, dump, '--yes', '--user', TEST_DB.user]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      `error: cannot log in to 127.0.0.1:${TEST_DB.port} as ${TEST_DB.user}: Access denied for user '${TEST_DB.user}'@'127.0.0.1' (using password: YES); nothing was changed`,
    ]);
    expect(result.stderr).not.toContain('SENTINEL');
    const connection = await adminConnection();
    const [rows] = await connection.query(`SHOW TABLES FROM ${quoteId(db.name)}`).finally(() => connection.end());
    expect(rows).toEqual([]);
  });
});
