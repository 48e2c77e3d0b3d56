import { randomBytes } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import path from 'node:path';
import type { Connection } from 'mysql2/promise';
import { grantPattern } from '../../src/server/db/accounts.js';
import { migrate } from '../../src/server/db/migrations.js';
import { makeTempDir } from '../helpers/cli.js';
import { adminConnection, createTestDatabase, quoteId, TEST_DB, uniqueTestName, type TestDatabase } from '../helpers/mariadb.js';

/** Versions of the temporary registry: a server release, a client-only alias of it, a release on another host. */
export const V = { source: '0.98.1', alias: '0.98.3', other: '0.98.2' } as const;
export const HOSTS = { main: 'dumphost', other: 'otherhost' } as const;
/** A JSM port of the source release (not a DB port). */
export const SOURCE_JSM = 38981;

/** Text that an option file and a dump must both carry through intact. */
const AWKWARD = `it's "quoted" \\ back # not a comment; ünïcödé 😀\nsecond line\ttab`;

/** Fills `database` with the Jobmon schema and a few thousand rows of every kind (through `connect`: the test instance's admin by default). */
export async function fillJobmon(database: string, jobs = 1000, connect: () => Promise<Connection> = () => adminConnection()): Promise<void> {
  const admin = await connect();
  try {
    await migrate(admin, database, () => undefined);
    const at = '2024-05-06 07:08:09';
    const dags = Array.from({ length: 5 }, (_, i) => [i + 1, `hash${i}`, `dag ${i} ${AWKWARD}`.slice(0, 150), 'svc', at, at]);
    await admin.query('INSERT INTO task_dag (dag_id, dag_hash, name, `user`, heartbeat_date, created_date) VALUES ?', [dags]);
    await admin.query('INSERT INTO workflow (id, dag_id, workflow_args, workflow_hash, description, name, `user`, created_date, status_date, status) VALUES ?', [
      dags.map(([id]) => [id, id, `args ${AWKWARD}`, 'wh', null, 'wf', 'svc', at, at, 'D']),
    ]);
    await admin.query('INSERT INTO workflow_run (id, workflow_id, `user`, hostname, pid, project, working_dir, created_date, status_date, status) VALUES ?', [
      dags.map(([id]) => [id, id, 'svc', 'node-1', 4242, 'proj', '/tmp', at, at, 'D']),
    ]);
    const jobRows = Array.from({ length: jobs }, (_, i) => [i + 1, (i % 5) + 1, `${BigInt(`0x${randomBytes(20).toString('hex')}`)}`, `job ${i}`, 'tag', `python run.py --n ${i} '${AWKWARD}'`, 'all.q', 1, '1G', 1, 0, 3600, 1, 3, 'D', at, at]);
    await admin.query(
      'INSERT INTO job (job_id, dag_id, job_hash, name, tag, command, queue, slots, mem_free, num_cores, j_resource, max_runtime_seconds, num_attempts, max_attempts, status, submitted_date, status_date) VALUES ?',
      [jobRows],
    );
    const instances = jobRows.flatMap(([jobId, dagId]) => [1, 2].map((n) => [dagId, 'sge', Number(jobId) * 10 + n, jobId, dagId, 'usage', `node-${n}`, 7, '12', '100M', '1.5', '0', n === 1 ? 'E' : 'D', at, at]));
    await admin.query(
      'INSERT INTO job_instance (workflow_run_id, executor_type, executor_id, job_id, dag_id, usage_str, nodename, process_group_id, wallclock, maxrss, cpu, io, status, submitted_date, status_date) VALUES ?',
      [instances],
    );
    await admin.query('INSERT INTO job_instance_error_log (job_instance_id, error_time, description) SELECT job_instance_id, submitted_date, ? FROM job_instance WHERE status = ? LIMIT 500', [AWKWARD, 'E']);
    await admin.query('INSERT INTO job_attribute (job_id, attribute_type, value) SELECT job_id, 13, CONCAT(job_id, ?) FROM job', [' s']);
    await admin.query('INSERT INTO workflow_attribute (workflow_id, attribute_type, value) SELECT id, 8, ? FROM workflow', [AWKWARD.slice(0, 40)]);
  } finally {
    await admin.end();
  }
}

/** Doubles job_instance (INSERT ... SELECT) until it has at least `rows` rows. */
export async function growJobInstances(admin: Connection, database: string, rows: number): Promise<number> {
  const table = `${quoteId(database)}.job_instance`;
  const cols = 'workflow_run_id, executor_type, executor_id, job_id, dag_id, usage_str, nodename, process_group_id, wallclock, maxrss, cpu, io, status, submitted_date, status_date';
  for (;;) {
    const [[{ n }]] = (await admin.query(`SELECT COUNT(*) AS n FROM ${table}`)) as unknown as [[{ n: number }]];
    if (Number(n) >= rows) return Number(n);
    await admin.query(`INSERT INTO ${table} (${cols}) SELECT ${cols} FROM ${table} LIMIT ${rows - Number(n)}`);
  }
}

/** Row count and CHECKSUM TABLE of every table of `database`, by table name. */
export async function tableFingerprints(database: string): Promise<Record<string, { rows: number; checksum: string }>> {
  const admin = await adminConnection(database);
  try {
    const [tables] = await admin.query('SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME', [database]);
    const out: Record<string, { rows: number; checksum: string }> = {};
    for (const { name } of tables as Array<{ name: string }>) {
      const [[count]] = (await admin.query(`SELECT COUNT(*) AS n FROM ${quoteId(name)}`)) as unknown as [[{ n: number }]];
      const [[sum]] = (await admin.query(`CHECKSUM TABLE ${quoteId(name)}`)) as unknown as [[{ Checksum: unknown }]];
      out[name] = { rows: Number(count.n), checksum: String(sum.Checksum) };
    }
    return out;
  } finally {
    await admin.end();
  }
}

/** A SELECT-only account on `database`, with a password full of characters an option file must quote. */
export async function createReadOnlyAccount(database: string): Promise<{ user: string; password: string; drop(): Promise<void> }> {
  const user = uniqueTestName('dump_ro');
  const password = `RO-SENTINEL-${randomBytes(6).toString('hex')}'"#;\\ $HOME`;
  const admin = await adminConnection();
  try {
    await admin.query("CREATE USER ?@'%' IDENTIFIED BY ?", [user, password]);
    await admin.query(`GRANT SELECT ON ${grantPattern(database)}.* TO ?@'%'`, [user]);
  } finally {
    await admin.end();
  }
  return {
    user,
    password,
    async drop() {
      const c = await adminConnection();
      await c.query("DROP USER IF EXISTS ?@'%'", [user]).finally(() => c.end());
    },
  };
}

/** An account with every privilege on `database` only (a restore's loader), with a password an option file must quote. */
export async function createLoaderAccount(database: string): Promise<{ user: string; password: string; drop(): Promise<void> }> {
  const user = uniqueTestName('restore_ld');
  const password = `LD-SENTINEL-${randomBytes(6).toString('hex')}'"#;\\ $HOME`;
  const admin = await adminConnection();
  try {
    await admin.query("CREATE USER ?@'%' IDENTIFIED BY ?", [user, password]);
    await admin.query(`GRANT ALL PRIVILEGES ON ${grantPattern(database)}.* TO ?@'%'`, [user]);
  } finally {
    await admin.end();
  }
  return {
    user,
    password,
    async drop() {
      const c = await adminConnection();
      await c.query("DROP USER IF EXISTS ?@'%'", [user]).finally(() => c.end());
    },
  };
}

export interface CountingProxy {
  port: number;
  /** How many connections it has accepted. */
  readonly connections: number;
  close(): Promise<void>;
}

/**
 * A TCP forwarder on 127.0.0.1 to the test instance that counts the
 * connections it forwards. With `from`, it connects to the server from that
 * loopback address (any 127.x.y.z is local on Linux), so the server sees
 * logins through it as coming from `from` and matches accounts `user`@`from`.
 */
export async function startCountingProxy(options: { from?: string } = {}): Promise<CountingProxy> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((client) => {
    connections += 1;
    const upstream = connect({ host: TEST_DB.host, port: TEST_DB.port, ...(options.from ? { localAddress: options.from } : {}) });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as AddressInfo).port,
    get connections() {
      return connections;
    },
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

export interface DumpWorld {
  /** An empty folder to run in (the default output goes here). */
  cwd: string;
  env: Record<string, string>;
  deployments: string;
  /** Writes the current deployment record of a version. */
  record(version: string, database: string, accounts: Record<string, string>): Promise<string>;
  /** Names in `cwd`, hidden ones included. */
  files(): Promise<string[]>;
  cleanup(): Promise<void>;
}

/**
 * A temporary registry, configuration and deployments folder. The source
 * release (and its alias) has `port` as DB port: the test instance's by default.
 */
export async function makeDumpWorld(options: { port?: number; source?: string } = {}): Promise<DumpWorld> {
  const source = options.source ?? V.source;
  const temp = await makeTempDir('jobmon-ops-dump-');
  const cwd = path.join(temp.dir, 'out');
  const deployments = path.join(temp.dir, 'deployments');
  await mkdir(cwd);
  await mkdir(deployments, { mode: 0o700 });
  const db = options.port ?? TEST_DB.port;
  const registry = {
    format: 1,
    internalPorts: { db: 3306, service: 80 },
    references: [],
    history: [],
    hosts: {
      [HOSTS.main]: {
        releases: [
          { label: 't.1', tag: `release-${source}`, jsm1: SOURCE_JSM, db },
          { label: 't.3', tag: `release-${V.alias}`, jsm1: SOURCE_JSM, db, server: `release-${source}` },
        ],
      },
      [HOSTS.other]: { releases: [{ label: 'o.2', tag: `release-${V.other}`, jsm1: SOURCE_JSM + 1, db: TEST_DB.port }] },
    },
  };
  await writeFile(path.join(temp.dir, 'ports.json'), `${JSON.stringify(registry, null, 2)}\n`);
  const address = TEST_DB.host;
  await writeFile(path.join(temp.dir, 'config.json'), JSON.stringify({ hosts: { [HOSTS.main]: { address }, [HOSTS.other]: { address } } }));
  return {
    cwd,
    deployments,
    env: { JOBMON_OPS_REGISTRY: path.join(temp.dir, 'ports.json'), JOBMON_OPS_CONFIG: path.join(temp.dir, 'config.json'), JOBMON_DEPLOYMENTS_DIR: deployments },
    async record(version, database, accounts) {
      const dir = path.join(deployments, version);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const file = path.join(dir, `${new Date().toISOString()}.json`);
      const record = { format: 1, status: 'deployed', version, tag: `release-${version}`, database: { name: database, accounts: { root: 'no-root-here', ...accounts } } };
      await writeFile(file, JSON.stringify(record, null, 2), { mode: 0o600 });
      return file;
    },
    files: () => readdir(cwd),
    cleanup: temp.cleanup,
  };
}

export { createTestDatabase, type TestDatabase };
