import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import type { Connection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DUMP_FLAGS, optionFileText } from '../../src/dump/argv.js';
import { Secret } from '../../src/server/secret.js';
import { runCli } from '../helpers/cli.js';
import { adminConnection, TEST_DB } from '../helpers/mariadb.js';
import { createReadOnlyAccount, createTestDatabase, fillJobmon, growJobInstances, makeDumpWorld, V, type DumpWorld, type TestDatabase } from '../dump/fixture.js';

/**
 * A dump taken while the server writes must be one snapshot. Another
 * connection commits, again and again, one transaction that bumps a counter
 * (in `aa_counter`, dumped first), adds a row to the big job_instance
 * (dumped for seconds) and one to `zz_log` (dumped last). In a consistent
 * dump all three agree; in a dump read table by table they do not.
 */
let world: DumpWorld;
let source: TestDatabase;
let ro: Awaited<ReturnType<typeof createReadOnlyAccount>>;
const ROWS = 300_000;
const COLS = 'workflow_run_id, executor_type, executor_id, job_id, dag_id, usage_str, nodename, process_group_id, wallclock, maxrss, cpu, io, status, submitted_date, status_date';

/** Commits transactions until stopped; `committed` is the counter's value after the last commit. */
function startWriter(connection: Connection) {
  let running = true;
  let committed = 0;
  const done = (async () => {
    while (running) {
      await connection.beginTransaction();
      await connection.query('UPDATE aa_counter SET n = n + 1 WHERE id = 1');
      await connection.query("INSERT INTO zz_log (seq, note) SELECT n, CONCAT('log-', n) FROM aa_counter WHERE id = 1");
      await connection.query(
        `INSERT INTO job_instance (${COLS}) SELECT ${COLS.replace('nodename', "(SELECT CONCAT('writer-', n) FROM aa_counter WHERE id = 1)")} FROM job_instance WHERE job_instance_id = 1`,
      );
      await connection.commit();
      committed += 1;
    }
  })();
  return {
    get committed() {
      return committed;
    },
    stop: async () => {
      running = false;
      await done;
    },
  };
}

/** What a dump says: the counter, and how many log and writer rows it holds. */
function readDump(sql: string): { counter: number; logs: number; maxLog: number; writerRows: number } {
  const counter = /^INSERT INTO `aa_counter` VALUES\s*\(1,(\d+)\)/m.exec(sql);
  const logs = [...sql.matchAll(/'log-(\d+)'/g)].map((m) => Number(m[1]));
  return { counter: Number(counter?.[1] ?? NaN), logs: logs.length, maxLog: Math.max(0, ...logs), writerRows: sql.match(/'writer-\d+'/g)?.length ?? 0 };
}

beforeAll(async () => {
  world = await makeDumpWorld();
  source = await createTestDatabase('dump_consistent');
  await fillJobmon(source.name);
  const admin = await adminConnection(source.name);
  try {
    await growJobInstances(admin, source.name, ROWS);
    await admin.query('CREATE TABLE aa_counter (id INT PRIMARY KEY, n BIGINT NOT NULL) ENGINE=InnoDB');
    await admin.query('INSERT INTO aa_counter VALUES (1, 0)');
    await admin.query('CREATE TABLE zz_log (seq BIGINT PRIMARY KEY, note VARCHAR(40) NOT NULL) ENGINE=InnoDB');
  } finally {
    await admin.end();
  }
  ro = await createReadOnlyAccount(source.name);
  await world.record(V.source, source.name, { [ro.user]: ro.password });
}, 300_000);

afterAll(async () => {
  await ro?.drop();
  await source?.drop();
  await world?.cleanup();
});

/** Runs `dumpIt` while the writer commits, from before it starts to after it ends. */
async function whileWriting(dumpIt: () => Promise<void>): Promise<{ atStart: number; atEnd: number }> {
  const connection = await adminConnection(source.name);
  const writer = startWriter(connection);
  try {
    while (writer.committed < 20) await new Promise((r) => setTimeout(r, 10));
    const atStart = writer.committed;
    await dumpIt();
    const atEnd = writer.committed;
    return { atStart, atEnd };
  } finally {
    await writer.stop();
    await connection.end();
  }
}

describe('jobmon-ops dump while the server writes', () => {
  it('is one consistent snapshot: counter, job_instance and log rows agree, though commits went on all through the dump', { timeout: 300_000 }, async () => {
    let exitCode = -1;
    let stderr = '';
    const { atStart, atEnd } = await whileWriting(async () => {
      const result = await runCli(['dump', `release-${V.source}`, '--user', ro.user, '--out', 'busy.sql'], { cwd: world.cwd, env: world.env, timeoutMs: 240_000 });
      ({ exitCode, stderr } = result);
    });
    expect(exitCode, stderr).toBe(0);
    const sql = await readFile(path.join(world.cwd, 'busy.sql'), 'utf8');
    expect(sql.length).toBeGreaterThan(30_000_000);
    const seen = readDump(sql);
    // The snapshot fell inside the writing: commits before it and after it.
    expect(seen.counter).toBeGreaterThan(atStart);
    expect(atEnd - seen.counter, 'commits after the snapshot').toBeGreaterThan(10);
    expect(seen).toEqual({ counter: seen.counter, logs: seen.counter, maxLog: seen.counter, writerRows: seen.counter });
  });

  it('control: the same dump read table by table (no --single-transaction, no locks) disagrees, so the check above can fail', { timeout: 300_000 }, async () => {
    const optionFile = path.join(world.cwd, 'control.cnf');
    await writeFile(optionFile, optionFileText({ user: ro.user, password: new Secret(ro.password), host: TEST_DB.host, port: TEST_DB.port }), { mode: 0o600 });
    const flags = DUMP_FLAGS.filter((f) => f !== '--single-transaction');
    let sql = '';
    await whileWriting(async () => {
      sql = (await execa('mariadb-dump', [`--defaults-file=${optionFile}`, ...flags, '--skip-lock-tables', '--databases', source.name], { maxBuffer: 1e9 })).stdout;
    });
    const seen = readDump(sql);
    // Each table is its own moment: the log, read seconds after the counter, holds later commits.
    expect(seen.logs).toBeGreaterThan(seen.counter);
  });
});
