import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { TEST_DB } from '../helpers/mariadb.js';
import { createReadOnlyAccount, createTestDatabase, fillJobmon, HOSTS, makeDumpWorld, SOURCE_JSM, tableFingerprints, V, type DumpWorld, type TestDatabase } from '../dump/fixture.js';
import { expectJsonOutput } from '../fixtures/json-schemas.js';

let world: DumpWorld;
let source: TestDatabase;
const targets: TestDatabase[] = [];
let ro: Awaited<ReturnType<typeof createReadOnlyAccount>>;
const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { cwd: world.cwd, env: { ...world.env, ...env }, timeoutMs: 60_000 });
const sha256 = async (file: string) => createHash('sha256').update(await readFile(file)).digest('hex');
/** A dump without its last line, which carries the time it finished. */
const withoutDate = (sql: string) => sql.replace(/^-- Dump completed on .*\n$/m, '');

beforeAll(async () => {
  world = await makeDumpWorld();
  source = await createTestDatabase('dump_src');
  await fillJobmon(source.name);
  ro = await createReadOnlyAccount(source.name);
  await world.record(V.source, source.name, { [ro.user]: ro.password, [TEST_DB.user]: TEST_DB.password, read_only: 'wrong-password-SENTINEL' });
});

afterAll(async () => {
  await ro?.drop();
  for (const db of [source, ...targets]) await db?.drop();
  await world?.cleanup();
});

describe('jobmon-ops dump', () => {
  it('dumps by DB port to dbs_<port>_dump.sql (0600), and restore loads it into a fresh database: equal rows and CHECKSUM TABLE', async () => {
    const result = await cli(['dump', '--port', String(TEST_DB.port), '--host', HOSTS.main, '--user', ro.user]);
    expect(result.exitCode, result.stderr).toBe(0);
    const name = `dbs_${TEST_DB.port}_dump.sql`;
    const file = path.join(world.cwd, name);
    expect(await world.files()).toEqual([name]);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const size = (await stat(file)).size;
    expect(result.stdout).toMatch(
      new RegExp(`^dumped release-${V.source} \\(database ${source.name} at 127\\.0\\.0\\.1:${TEST_DB.port} as ${ro.user}\\) to ${name}: [\\d.]+ [kM]?B in \\d+\\.\\d s, sha256 ${await sha256(file)}\\n?$`),
    );
    expect(size).toBeGreaterThan(100_000);
    const sql = await readFile(file, 'utf8');
    expect(sql.trimEnd().split('\n').pop()).toMatch(/^-- Dump completed on /);
    expect(sql).not.toContain('CREATE EVENT');
    expect(`${result.stdout}${result.stderr}`).not.toContain(ro.password);

    const target = await createTestDatabase('dump_dst');
    targets.push(target);
    await world.record(V.other, target.name, { [TEST_DB.user]: TEST_DB.password });
    const restored = await cli(['restore', `release-${V.other}`, name, '--yes', '--user', TEST_DB.user]);
    expect(restored.exitCode, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(new RegExp(`^restored ${name} into database ${target.name} of release-${V.other} at 127\\.0\\.0\\.1:${TEST_DB.port} as ${TEST_DB.user}: `));
    const [before, after] = await Promise.all([tableFingerprints(source.name), tableFingerprints(target.name)]);
    expect(Object.keys(before)).toHaveLength(20); // 16 Jobmon tables, 3 of the monitor, schema_migrations
    expect(after).toEqual(before);
    expect(before.job_instance!.rows).toBe(2000);
  }, 120_000);

  it('--gzip writes .sql.gz that decompresses to the same dump; the sha256 is of the written file', async () => {
    const plain = await cli(['dump', `release-${V.source}`, '--user', ro.user, '--out', 'plain.sql']);
    expect(plain.exitCode, plain.stderr).toBe(0);
    const zipped = await cli(['dump', `release-${V.source}`, '--user', ro.user, '--gzip', '--json']);
    expect(zipped.exitCode, zipped.stderr).toBe(0);
    const view = expectJsonOutput('dump', zipped.stdout) as { file: string; bytes: number; sqlBytes: number; sha256: string };
    expect(path.basename(view.file)).toBe(`dbs_${TEST_DB.port}_dump.sql.gz`);
    const gz = await readFile(view.file);
    expect(view).toMatchObject({ bytes: gz.length, sha256: createHash('sha256').update(gz).digest('hex') });
    const unzipped = gunzipSync(gz).toString('utf8');
    expect(view.sqlBytes).toBe(Buffer.byteLength(unzipped));
    expect(withoutDate(unzipped)).toBe(withoutDate(await readFile(path.join(world.cwd, 'plain.sql'), 'utf8')));
    expect(gz.length).toBeLessThan(view.sqlBytes / 3);
  }, 60_000);

  it('a client-only alias dumps its server release and says so', async () => {
    const result = await cli(['dump', `release-${V.alias}`, '--user', ro.user, '--out', 'alias.sql']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr.trim()).toBe(`note: release-${V.alias} is client-only; dumping the database of its server release release-${V.source}`);
    expect(result.stdout).toContain(`dumped release-${V.source} (database ${source.name}`);
  });

  it('a wrong password (the default account read_only, from the record): one line, exit 1, no file at all', async () => {
    const before = await world.files();
    const result = await cli(['dump', `release-${V.source}`, '--out', 'wrong.sql']);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^error: mariadb-dump failed \(exit 2\): mariadb-dump: Got error: 1045: "Access denied for user 'read_only'@'127\.0\.0\.1' \(using password: YES\)" when trying to connect; no file was written$/),
    ]);
    expect(result.stderr).not.toContain('SENTINEL');
    expect(await world.files()).toEqual(before);
  });

  it('an unknown port lists the known DB ports (exit 2); a port that is not a DB port says whose it is', async () => {
    const unknown = await cli(['dump', '--port', '39999']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr.trim()).toBe(`error: no release has DB port 39999 in the registry; the known DB ports are ${HOSTS.main}: ${TEST_DB.port}; ${HOSTS.other}: ${TEST_DB.port}`);
    const jsm = await cli(['dump', '--port', String(SOURCE_JSM)]);
    expect(jsm.exitCode).toBe(2);
    expect(jsm.stderr.trim()).toBe(
      `error: no release has DB port ${SOURCE_JSM} in the registry (${SOURCE_JSM} is the jsm-1 port of release-${V.source} (t.1) on ${HOSTS.main}); the known DB ports are ${HOSTS.main}: ${TEST_DB.port}; ${HOSTS.other}: ${TEST_DB.port}`,
    );
    const shared = await cli(['dump', '--port', String(TEST_DB.port)]);
    expect(shared.exitCode).toBe(2);
    expect(shared.stderr.trim()).toBe(
      `error: DB port ${TEST_DB.port} is ambiguous: release-${V.source} (t.1) on ${HOSTS.main}; release-${V.other} (o.2) on ${HOSTS.other}; pass --host, or name the release by its tag`,
    );
  });

  it('without a password in the record and no terminal: one line naming JOBMON_DB_PASSWORD (exit 2); with it set, the dump runs', async () => {
    const missing = await cli(['dump', `release-${V.source}`, '--user', 'jt_nobody', '--out', 'x.sql']);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr.trim()).toMatch(/^error: no password for jt_nobody \(the deployment record .*\.json has no account jt_nobody\); set JOBMON_DB_PASSWORD \(jobmon-ops creds \S+ --user jt_nobody --show prints it, from the containers if there is no record\), or run on a terminal to be asked$/);
    // A release without a record: the database comes from the hidden --database, the password from the environment.
    const fromEnv = await cli(['dump', '--port', String(TEST_DB.port), '--host', HOSTS.other, '--user', ro.user, '--database', source.name, '--out', 'env.sql'], { JOBMON_DB_PASSWORD: ro.password });
    expect(fromEnv.exitCode, fromEnv.stderr).toBe(0);
    expect(`${fromEnv.stdout}${fromEnv.stderr}`).not.toContain(ro.password);
  });
});
