import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadArgs, optionFileText } from '../../src/dump/argv.js';
import { Secret } from '../../src/server/secret.js';
import { makeTempDir, runCli } from '../helpers/cli.js';
import { adminConnection, quoteId, TEST_DB, uniqueTestName } from '../helpers/mariadb.js';
import {
  createReadOnlyAccount, createTestDatabase, fillJobmon, makeDumpWorld, startCountingProxy, tableFingerprints, V,
  type CountingProxy, type DumpWorld, type TestDatabase,
} from '../dump/fixture.js';

/**
 * The operator's own `~/.my.cnf` must not change whom dump and restore log
 * in as, nor where. HOME holds a `[client]` group naming a decoy account
 * (a real one: it may read task_dag only) on a decoy port (a counting proxy
 * to the same server). A client that read it would log in as the decoy
 * through the proxy: a dump of one table, a load refused.
 */
let world: DumpWorld;
let source: TestDatabase;
let target: TestDatabase;
let ro: Awaited<ReturnType<typeof createReadOnlyAccount>>;
let proxy: CountingProxy;
let home: { dir: string; cleanup: () => Promise<void> };
const decoy = { user: uniqueTestName('mycnf_decoy'), password: `DECOY-${randomBytes(6).toString('hex')}` };
const cli = (args: string[]) => runCli(args, { cwd: world.cwd, env: { ...world.env, HOME: home.dir }, timeoutMs: 60_000 });

beforeAll(async () => {
  world = await makeDumpWorld();
  source = await createTestDatabase('mycnf_src');
  target = await createTestDatabase('mycnf_dst');
  await fillJobmon(source.name, 200);
  ro = await createReadOnlyAccount(source.name);
  const admin = await adminConnection();
  try {
    await admin.query("CREATE USER ?@'%' IDENTIFIED BY ?", [decoy.user, decoy.password]);
    await admin.query(`GRANT SELECT ON ${quoteId(source.name)}.task_dag TO ?@'%'`, [decoy.user]);
  } finally {
    await admin.end();
  }
  proxy = await startCountingProxy();
  home = await makeTempDir('jobmon-ops-home-');
  const myCnf = [
    '[client]', `user=${decoy.user}`, `password=${decoy.password}`, 'host=127.0.0.1', `port=${proxy.port}`, 'protocol=TCP',
    // Read by mariadb-dump only: a dump of no rows at all.
    '[mariadb-dump]', 'where=1=0', '',
  ].join('\n');
  await writeFile(path.join(home.dir, '.my.cnf'), myCnf, { mode: 0o600 });
  await world.record(V.source, source.name, { [ro.user]: ro.password });
  await world.record(V.other, target.name, { [TEST_DB.user]: TEST_DB.password });
}, 120_000);

afterAll(async () => {
  await proxy?.close();
  await home?.cleanup();
  await ro?.drop();
  const admin = await adminConnection();
  await admin.query("DROP USER IF EXISTS ?@'%'", [decoy.user]).finally(() => admin.end());
  for (const db of [source, target]) await db?.drop();
  await world?.cleanup();
});

describe('an operator ~/.my.cnf with another [client] user, password and port', () => {
  it('control: a client pointed at our option file with --defaults-extra-file would log in as the decoy, through its port; --defaults-file (what we pass) as ours', async () => {
    const file = path.join(home.dir, 'ours.cnf');
    await writeFile(file, optionFileText({ user: ro.user, password: new Secret(ro.password), host: TEST_DB.host, port: TEST_DB.port }), { mode: 0o600 });
    const env = { ...process.env, HOME: home.dir };
    const before = proxy.connections;
    const extra = await execa('mariadb', [`--defaults-extra-file=${file}`, '-N', '-e', 'SELECT CURRENT_USER()'], { env });
    expect(extra.stdout.trim()).toBe(`${decoy.user}@%`);
    expect(proxy.connections).toBe(before + 1);
    const only = await execa('mariadb', [...loadArgs(file), '-N', '-e', 'SELECT CURRENT_USER()'], { env });
    expect(only.stdout.trim()).toBe(`${ro.user}@%`);
    expect(proxy.connections).toBe(before + 1);
  });

  it("dump logs in as the record's account on the release's port, and restore loads into that server as --user: the decoy is never used", async () => {
    const before = proxy.connections;
    const dumped = await cli(['dump', `release-${V.source}`, '--user', ro.user, '--out', 'mycnf.sql']);
    expect(dumped.exitCode, dumped.stderr).toBe(0);
    expect(dumped.stdout).toContain(`(database ${source.name} at 127.0.0.1:${TEST_DB.port} as ${ro.user})`);
    const sql = await readFile(path.join(world.cwd, 'mycnf.sql'), 'utf8');
    // Every table and every row: neither the decoy's grants (task_dag only) nor its [mariadb-dump] where=1=0 applied.
    expect(sql.match(/^CREATE TABLE /gm)).toHaveLength(20);
    expect(sql.match(/^INSERT INTO `job_instance` VALUES/gm)?.length, 'rows of job_instance').toBeGreaterThan(0);

    const restored = await cli(['restore', `release-${V.other}`, 'mycnf.sql', '--yes', '--user', TEST_DB.user]);
    expect(restored.exitCode, restored.stderr).toBe(0);
    expect(restored.stdout).toContain(`into database ${target.name} of release-${V.other} at 127.0.0.1:${TEST_DB.port} as ${TEST_DB.user}`);
    expect(await tableFingerprints(target.name)).toEqual(await tableFingerprints(source.name));
    expect(proxy.connections).toBe(before);
  }, 120_000);
});
