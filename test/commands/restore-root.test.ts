import { randomInt } from 'node:crypto';
import type { Connection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantPattern } from '../../src/server/db/accounts.js';
import { runCli } from '../helpers/cli.js';
import { adminConnection, SWEEP_AGE_MS, TEST_DB, testNameTime } from '../helpers/mariadb.js';
import { createTestDatabase, fillJobmon, makeDumpWorld, startCountingProxy, tableFingerprints, V, type CountingProxy, type DumpWorld, type TestDatabase } from '../dump/fixture.js';

/**
 * restore's default account: `root`, its password from the deployment record.
 *
 * Accounts are server-wide and the test instance's own root must stay as it
 * is, so no 'root'@'%' is made. Instead the release's DB port is a proxy that
 * reaches the server from a loopback address of this run's own
 * (127.a.b.c): only logins through it can match 'root'@'127.a.b.c', an
 * account with privileges on this test's database only, gone afterwards.
 */
const FROM = `127.${randomInt(1, 255)}.${randomInt(1, 255)}.${randomInt(2, 255)}`;
/** A test-only password (this account exists only during this file's run). */
const ROOT_PASSWORD = 'root-test-pass-7d3f';

let world: DumpWorld;
let proxy: CountingProxy;
let source: TestDatabase;
let target: TestDatabase;
const cli = (args: string[]) => runCli(args, { cwd: world.cwd, env: world.env, timeoutMs: 60_000 });
const dump = 'root-src.sql';

/**
 * Drops 'root'@'127.x.y.z' accounts of dead runs of this file: no global
 * privilege, and every schema grant on a missing or stale jt_ database.
 */
async function sweepRootAccounts(admin: Connection): Promise<void> {
  const [accounts] = await admin.query("SELECT Host AS host FROM mysql.user WHERE User = 'root' AND Host LIKE '127.%' AND Host <> '127.0.0.1'");
  for (const { host } of accounts as Array<{ host: string }>) {
    const grantee = `'root'@'${host}'`;
    const [global] = await admin.query("SELECT 1 FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = ? AND PRIVILEGE_TYPE <> 'USAGE'", [grantee]);
    if ((global as unknown[]).length > 0) continue;
    const [grants] = await admin.query('SELECT DISTINCT TABLE_SCHEMA AS db FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = ?', [grantee]);
    const dbs = (grants as Array<{ db: string }>).map(({ db }) => db.replace(/\\(.)/g, '$1'));
    const stale = dbs.every((db) => db.startsWith('jt_') && Date.now() - (testNameTime(db) ?? 0) > SWEEP_AGE_MS);
    if (stale) await admin.query("DROP USER IF EXISTS 'root'@?", [host]);
  }
}

beforeAll(async () => {
  proxy = await startCountingProxy({ from: FROM });
  // The source release's DB port is the proxy; the other release's is the server's own.
  world = await makeDumpWorld({ port: proxy.port });
  source = await createTestDatabase('restore_root_src');
  target = await createTestDatabase('restore_root_dst');
  await fillJobmon(source.name, 100);
  const admin = await adminConnection();
  try {
    await sweepRootAccounts(admin);
    // Created with its one grant in one statement, so a concurrent sweep never sees it bare.
    await admin.query(`GRANT ALL PRIVILEGES ON ${grantPattern(target.name)}.* TO 'root'@? IDENTIFIED BY ?`, [FROM, ROOT_PASSWORD]);
  } finally {
    await admin.end();
  }
  await world.record(V.other, source.name, { [TEST_DB.user]: TEST_DB.password });
  const dumped = await cli(['dump', `release-${V.other}`, '--user', TEST_DB.user, '--out', dump]);
  if (dumped.exitCode !== 0) throw new Error(dumped.stderr);
}, 120_000);

afterAll(async () => {
  const admin = await adminConnection();
  await admin.query("DROP USER IF EXISTS 'root'@?", [FROM]).finally(() => admin.end());
  await proxy?.close();
  for (const db of [source, target]) await db?.drop();
  await world?.cleanup();
});

describe('jobmon-ops restore without --user', () => {
  it("logs in as root with the record's root password: a wrong one is refused (naming root), the right one loads the dump", async () => {
    await world.record(V.source, target.name, { root: 'WRONG-ROOT-SENTINEL' });
    const refused = await cli(['restore', `release-${V.source}`, dump, '--yes']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr.trim().split('\n')).toEqual([
      `error: cannot log in to 127.0.0.1:${proxy.port} as root: Access denied for user 'root'@'${FROM}' (using password: YES); nothing was changed`,
    ]);
    expect(refused.stderr).not.toContain('SENTINEL');
    expect(await tableFingerprints(target.name)).toEqual({});

    // A newer record of the same version is the current one (decisions.md 3).
    await new Promise((r) => setTimeout(r, 5));
    await world.record(V.source, target.name, { root: ROOT_PASSWORD });
    const before = proxy.connections;
    const restored = await cli(['restore', `release-${V.source}`, dump, '--yes', '--json']);
    expect(restored.exitCode, restored.stderr).toBe(0);
    expect(JSON.parse(restored.stdout)).toMatchObject({ user: 'root', database: target.name, address: `127.0.0.1:${proxy.port}` });
    // Both logins went through the proxy (only there does 'root'@FROM match): the in-use check and the client's.
    expect(proxy.connections - before).toBeGreaterThanOrEqual(2);
    expect(await tableFingerprints(target.name)).toEqual(await tableFingerprints(source.name));
  }, 120_000);
});
