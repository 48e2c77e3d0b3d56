import { readFileSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli } from '../helpers/cli.js';
import { adminConnection, quoteId, TEST_DB } from '../helpers/mariadb.js';
import {
  createLoaderAccount, createTestDatabase, fillJobmon, growJobInstances, makeDumpWorld, tableFingerprints, V, type DumpWorld, type TestDatabase,
} from '../dump/fixture.js';

let world: DumpWorld;
let source: TestDatabase;
const targets: TestDatabase[] = [];
const loaders: Array<Awaited<ReturnType<typeof createLoaderAccount>>> = [];
const ROWS = 400_000;
const DUMP = 'big.sql';

/** Every process's command line and environment, NUL-separated fields joined by spaces. */
async function sampleProcesses(): Promise<{ pid: string; cmdline: string; environ: string }[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  return Promise.all(
    pids.map(async (pid) => ({
      pid,
      cmdline: (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replace(/\0/g, ' '),
      environ: (await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '')).replace(/\0/g, ' '),
    })),
  );
}

/** The load client's command line: `<path>/mariadb --defaults-file=<file> ...`. */
const LOAD_CLIENT = /^\S*\/mariadb --defaults-file=(\S+) /;
/**
 * A client started by this file's CLI runs, not another test file's: its parent has this world's environment
 * (the client itself gets only the allowlisted variables).
 */
const ours = (p: { pid: string }) => parentEnviron(p.pid).includes(`JOBMON_DEPLOYMENTS_DIR=${world.deployments}`);

/** The environment of a process's parent, NUL-separated; empty once either is gone. */
function parentEnviron(pid: string): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
    return readFileSync(`/proc/${ppid}/environ`, 'utf8');
  } catch {
    return '';
  }
}

/** A fresh database, the account that may load it, and a new current record of `version` naming both. */
async function freshTarget(prefix: string, version: string) {
  const db = await createTestDatabase(prefix);
  targets.push(db);
  const loader = await createLoaderAccount(db.name);
  loaders.push(loader);
  await new Promise((r) => setTimeout(r, 5)); // a later record name: the current one
  await world.record(version, db.name, { [loader.user]: loader.password });
  return { db, loader };
}

/** True while `user` is inserting into job_instance (information_schema: no wait on the load's table locks). */
async function insertingJobInstances(user: string): Promise<boolean> {
  const admin = await adminConnection();
  try {
    const [busy] = await admin.query("SELECT 1 FROM information_schema.PROCESSLIST WHERE USER = ? AND INFO LIKE 'INSERT INTO `job\\_instance` %'", [user]);
    return (busy as unknown[]).length > 0;
  } finally {
    await admin.end();
  }
}

/** Row counts of a database's tables (once no load holds their locks). */
async function rowCounts(database: string): Promise<Record<string, number>> {
  const admin = await adminConnection();
  try {
    const [tables] = await admin.query('SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [database]);
    const counts: Record<string, number> = {};
    for (const { name } of tables as Array<{ name: string }>) {
      const [[row]] = (await admin.query(`SELECT COUNT(*) AS n FROM ${quoteId(database)}.${quoteId(name)}`)) as unknown as [[{ n: number }]];
      counts[name] = Number(row.n);
    }
    return counts;
  } finally {
    await admin.end();
  }
}

beforeAll(async () => {
  world = await makeDumpWorld();
  source = await createTestDatabase('restore_big');
  await fillJobmon(source.name);
  const admin = await adminConnection();
  await growJobInstances(admin, source.name, ROWS).finally(() => admin.end());
  await world.record(V.source, source.name, { [TEST_DB.user]: TEST_DB.password });
  const dumped = await runCli(['dump', `release-${V.source}`, '--user', TEST_DB.user, '--out', DUMP], { cwd: world.cwd, env: world.env, timeoutMs: 240_000 });
  if (dumped.exitCode !== 0) throw new Error(dumped.stderr);
}, 300_000);

afterAll(async () => {
  for (const loader of loaders) await loader.drop();
  for (const db of [source, ...targets]) await db?.drop();
  await world?.cleanup();
});

describe('jobmon-ops restore of a large dump', () => {
  it("sampling every process's command line and environment while it loads never shows the password", { timeout: 300_000 }, async () => {
    const { db, loader } = await freshTarget('restore_ps', V.other);
    let running = true;
    let samples = 0;
    const leaks: string[] = [];
    const clients: string[] = [];
    const optionFiles = new Map<string, { mode: number; dirMode: number }>();
    const control = `CONTROL-${Date.now()}`;
    let controlSeen = false;
    const sampler = (async () => {
      while (running) {
        for (const p of await sampleProcesses()) {
          if (p.cmdline.includes(loader.password) || p.environ.includes(loader.password)) leaks.push(`${p.pid}: ${p.cmdline}`);
          if (p.cmdline.includes(control)) controlSeen = true;
          const option = LOAD_CLIENT.exec(p.cmdline);
          if (!option || !ours(p)) continue;
          clients.push(p.cmdline);
          const file = option[1]!;
          if (!optionFiles.has(file)) {
            const [f, d] = await Promise.all([stat(file), stat(path.dirname(file))]).catch(() => []);
            if (f && d) optionFiles.set(file, { mode: f.mode & 0o777, dirMode: d.mode & 0o777 });
          }
        }
        samples++;
      }
    })();
    let result;
    try {
      // The control: a planted argument on a short-lived process is seen, so a leak would be too.
      const planted = execa('sh', ['-c', 'sleep 0.5', control]);
      result = await runCli(['restore', `release-${V.other}`, DUMP, '--yes', '--user', loader.user], { cwd: world.cwd, env: world.env, timeoutMs: 240_000 });
      await planted;
    } finally {
      running = false;
      await sampler;
    }
    expect(controlSeen).toBe(true);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(`${result.stdout}${result.stderr}`).not.toContain(loader.password);
    expect(leaks).toEqual([]);
    expect(samples).toBeGreaterThan(10);
    expect(clients.length).toBeGreaterThan(3);
    expect(clients[0]).toMatch(/^\/\S+\/mariadb --defaults-file=\S+\/client\.cnf --default-character-set=utf8mb4 $/);
    expect([...optionFiles.values()]).toEqual([{ mode: 0o600, dirMode: 0o700 }]);
    for (const file of optionFiles.keys()) await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await tableFingerprints(db.name)).toEqual(await tableFingerprints(source.name));
  });

  it('Ctrl-C partway: exit 130, one line saying the database is partly loaded and how to fix it, no client or option file left; --force then loads it whole', { timeout: 300_000 }, async () => {
    const { db, loader } = await freshTarget('restore_int', V.source);
    // detached: its own process group, which Ctrl-C on a terminal signals as a whole (the client too).
    const child = execa(process.execPath, [BIN, 'restore', `release-${V.source}`, DUMP, '--yes', '--user', loader.user], {
      cwd: world.cwd, env: { NO_COLOR: '1', ...world.env }, reject: false, stdin: 'ignore', detached: true,
    });
    let optionFile: string | undefined;
    let clientPid: string | undefined;
    // Stop it while it inserts job instances: earlier tables are loaded, later ones not yet.
    let exited = false;
    void child.finally(() => (exited = true));
    let caught = false;
    while (!exited && !caught) {
      const client = (await sampleProcesses()).find((p) => LOAD_CLIENT.test(p.cmdline) && ours(p));
      if (client) [clientPid, optionFile] = [client.pid, LOAD_CLIENT.exec(client.cmdline)![1]];
      caught = await insertingJobInstances(loader.user);
    }
    expect(caught, 'the load was seen inserting job instances').toBe(true);
    expect(optionFile, 'the load client was seen').toBeDefined();
    process.kill(-child.pid!, 'SIGINT');
    const result = await child;
    expect(result.exitCode, result.stderr).toBe(130);
    expect(result.stderr.trim().split('\n')).toEqual([
      `error: interrupted: the load into database ${db.name} at 127.0.0.1:${TEST_DB.port} was stopped partway, so it is partly loaded (some tables replaced, others missing or cut short); restore again with --force`,
    ]);
    expect(`${result.stdout}${result.stderr}`).not.toContain(loader.password);
    await expect(stat(path.dirname(optionFile!))).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await sampleProcesses()).filter((p) => p.pid === clientPid && LOAD_CLIENT.test(p.cmdline))).toEqual([]);
    // What the message says: partly loaded. job comes before job_instance in the dump, task_dag after it.
    // The server may finish the one statement it had already received.
    for (let i = 0; i < 300 && (await insertingJobInstances(loader.user)); i++) await new Promise((r) => setTimeout(r, 100));
    expect(await insertingJobInstances(loader.user)).toBe(false);
    const after = await rowCounts(db.name);
    const whole = await tableFingerprints(source.name);
    expect(after.job).toBe(whole.job!.rows);
    expect(after.job_instance ?? 0).toBeLessThan(ROWS);
    expect(after.task_dag).toBeUndefined();

    const again = await runCli(['restore', `release-${V.source}`, DUMP, '--yes', '--force', '--user', loader.user], { cwd: world.cwd, env: world.env, timeoutMs: 240_000 });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(await tableFingerprints(db.name)).toEqual(await tableFingerprints(source.name));
  });
});
