// Server benchmark (issue 3): drives the client's job lifecycle (queue, create
// instance, executor id, running, done, plus the status poll: 6 requests per
// job) against `jobmon-server web` on a local MariaDB with durable commits, at
// concurrency 1 and 8, each point for at least BENCH_SECONDS (default 30).
// Also times GET /dag/<id>/job for a 1000-job DAG. Writes bench/results/server.md.
// Needs the test MariaDB (bash scripts/test-mariadb.sh) and a build (npm run build).
// Knobs: BENCH_SECONDS, BENCH_CONCURRENCY (default 1,8), BENCH_CLIENT=fetch (the
// load generator's HTTP client), BENCH_LOG_LEVEL, BENCH_SERVER_NODE_ARGS (node
// flags for the web process only, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
import { spawn } from 'node:child_process';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const JOBS = 1000;
const admin = { host: '127.0.0.1', port: 33306, user: 'jobmon_admin', password: process.env.JOBMON_TEST_DB_PASS ?? 'jobmon-test-admin' };
const database = `bench_${randomBytes(3).toString('hex')}`;
// MariaDB accounts are server-wide, and the test suite (maybe running at the same
// time) sets these test-only passwords on them: use the same ones (test/helpers/mariadb.ts).
const passwords = { JOBMON_PASS_SERVICE_USER: 'su-test-pass-8b2e', JOBMON_PASS_READ_ONLY: 'ro-test-pass-2c7a' };
const port = 20000 + Math.floor(Math.random() * 10000);
const base = `http://127.0.0.1:${port}`;

/** CPU seconds (user + system) a process has used, from /proc (clock ticks of 1/100 s). */
const cpuOf = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};
/** CPU seconds the whole machine has been busy (all cores), from /proc/stat. */
const machineBusy = () => {
  const [, user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  return (user + nice + system + irq + softirq + steal) / 100;
};
const mariadbPid = () => Number(readFileSync('/run/jobmon-test-mariadb/mysqld.pid', 'utf8').trim());

/**
 * MariaDB's threads and their CPU seconds, and which of them serve a client
 * connection (and to which database). The test instance may serve other
 * clients (test suites) while the benchmark runs: their connection threads
 * are left out of the MariaDB CPU; ours and the background threads (redo log
 * writer, purge, page cleaner) are counted.
 */
async function mariadbThreads() {
  const pid = mariadbPid();
  const cpu = new Map();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const fields = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ');
      cpu.set(Number(tid), (Number(fields[11]) + Number(fields[12])) / 100);
    } catch { /* the thread ended */ }
  }
  const conn = await mysql.createConnection(admin);
  const [rows] = await conn.query('SELECT TID, DB FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID()');
  await conn.end();
  return { cpu, clients: new Map(rows.map((row) => [Number(row.TID), row.DB])) };
}

/** CPU seconds of our connection threads, and of the background threads, between two `mariadbThreads()`. */
function mariadbCpuBetween(before, after) {
  const used = { connections: 0, background: 0 };
  for (const [tid, seconds] of after.cpu) {
    const db = after.clients.has(tid) ? after.clients.get(tid) : before.clients.get(tid);
    const client = after.clients.has(tid) || before.clients.has(tid);
    if (client && db !== database) continue;
    used[client ? 'connections' : 'background'] += seconds - (before.cpu.get(tid) ?? 0);
  }
  return used;
}

function run(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'bin/jobmon-server.js'), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`jobmon-server ${args[0]} exited ${code}`))));
  });
}

// The load generator shares the 2 cores with the server and MariaDB, so it
// should be cheap: node:http on keep-alive connections costs about a third of
// the CPU per request of fetch() (undici). BENCH_CLIENT=fetch uses fetch().
const CLIENT = process.env.BENCH_CLIENT === 'fetch' ? 'fetch' : 'http';
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
// What python-requests (the 0.8 client) sends besides the body headers.
const clientHeaders = { 'user-agent': 'python-requests/2.31.0', 'accept-encoding': 'gzip, deflate', accept: '*/*', connection: 'keep-alive' };

function httpRequest(method, route, payload) {
  return new Promise((resolve, reject) => {
    const headers = payload === undefined ? clientHeaders : { ...clientHeaders, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) };
    const request = http.request({ host: '127.0.0.1', port, path: route, method, agent, headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => { text += chunk; });
      response.on('end', () => resolve({ status: response.statusCode, text }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(payload);
  });
}

async function fetchRequest(method, route, payload) {
  const response = await fetch(`${base}${route}`, { method, headers: payload === undefined ? {} : { 'content-type': 'application/json' }, body: payload });
  return { status: response.status, text: await response.text() };
}

let retried = 0;
/** One request; a 5xx is retried as the 0.8 client does (counted and reported), anything else fails the run. */
async function call(method, route, body) {
  const payload = body ? JSON.stringify(body) : undefined;
  for (let attempt = 1; ; attempt++) {
    const response = await (CLIENT === 'fetch' ? fetchRequest : httpRequest)(method, route, payload);
    const text = response.text;
    if (response.status >= 200 && response.status < 300) return text ? JSON.parse(text) : {};
    if (response.status < 500 || attempt >= 5) throw new Error(`${method} ${route} -> ${response.status} ${text}`);
    retried++;
    await new Promise((r) => setTimeout(r, 50 * attempt));
  }
}

const latencies = new Map();
async function timed(name, method, route, body) {
  const start = performance.now();
  const result = await call(method, route, body);
  const ms = performance.now() - start;
  if (!latencies.has(name)) latencies.set(name, []);
  latencies.get(name).push(ms);
  return result;
}

async function makeDag(jobs) {
  const { dag_id } = await call('POST', '/task_dag', { name: 'bench', user: 'bench', dag_hash: randomBytes(20).toString('hex') });
  const ids = [];
  for (let i = 0; i < jobs; i++) {
    const { job_dct } = await call('POST', '/job', { dag_id, name: `j${i}`, job_hash: BigInt(`0x${randomBytes(20).toString('hex')}`).toString(), command: 'true', max_attempts: 3 });
    ids.push(job_dct.job_id);
  }
  return { dag_id, ids };
}

async function lifecycle(dagId, jobId, time) {
  await timed('POST /job/<id>/queue', 'POST', `/job/${jobId}/queue`, {});
  const { job_instance_id: ji } = await timed('POST /job_instance', 'POST', '/job_instance', { job_id: jobId, executor_type: 'bench' });
  await timed('POST /job_instance/<id>/log_executor_id', 'POST', `/job_instance/${ji}/log_executor_id`, { executor_id: String(ji) });
  await timed('POST /job_instance/<id>/log_running', 'POST', `/job_instance/${ji}/log_running`, { nodename: 'bench-node', process_group_id: 1 });
  await timed('POST /job_instance/<id>/log_done', 'POST', `/job_instance/${ji}/log_done`, {});
  await timed('GET /dag/<id>/job_status', 'GET', `/dag/${dagId}/job_status?last_sync=${encodeURIComponent(time)}`);
}

/** MariaDB's server-wide count of statements received (includes any other client of the test instance). */
async function questions() {
  const conn = await mysql.createConnection(admin);
  const [rows] = await conn.query("SHOW GLOBAL STATUS LIKE 'Questions'");
  await conn.end();
  return Number(rows[0].Value);
}

async function point(concurrency) {
  latencies.clear();
  // CPU and statements are counted over the measured lifecycles only, not the DAG setup.
  let sql = 0;
  let benchCpuUs = 0;
  let serverCpu = 0;
  let dbCpu = 0;
  let ourDbCpu = 0;
  let dbConnectionsCpu = 0;
  let otherCpu = 0;
  const start = performance.now();
  let requests = 0;
  while (performance.now() - start < SECONDS * 1000) {
    const { dag_id, ids } = await makeDag(JOBS); // setup, not measured
    const { time } = await call('GET', '/time');
    let next = 0;
    const questions0 = await questions();
    const serverCpu0 = cpuOf(server.pid);
    const dbCpu0 = cpuOf(mariadbPid());
    const threads0 = await mariadbThreads();
    const busy0 = machineBusy();
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < ids.length) await lifecycle(dag_id, ids[next++], time);
    }));
    const cpu = process.cpuUsage(cpu0);
    const busy = machineBusy() - busy0;
    const serverDelta = cpuOf(server.pid) - serverCpu0;
    const dbDelta = cpuOf(mariadbPid()) - dbCpu0;
    latencies.set('_elapsed', [...(latencies.get('_elapsed') ?? []), performance.now() - t0]);
    const ourDb = mariadbCpuBetween(threads0, await mariadbThreads());
    const ourDbDelta = ourDb.connections + ourDb.background;
    benchCpuUs += cpu.user + cpu.system;
    serverCpu += serverDelta;
    dbCpu += dbDelta;
    ourDbCpu += ourDbDelta;
    dbConnectionsCpu += ourDb.connections;
    otherCpu += Math.max(0, busy - serverDelta - ourDbDelta - (cpu.user + cpu.system) / 1e6);
    sql += (await questions()) - questions0 - 1;
    requests += ids.length * 6;
  }
  const measured = latencies.get('_elapsed').reduce((a, b) => a + b, 0) / 1000;
  latencies.delete('_elapsed');
  return {
    concurrency, requests, seconds: measured, rps: requests / measured, routes: new Map(latencies),
    serverCpuMs: (serverCpu * 1000) / requests, dbCpuMs: (ourDbCpu * 1000) / requests, dbConnectionsMs: (dbConnectionsCpu * 1000) / requests, dbAllCpuMs: (dbCpu * 1000) / requests, otherCores: otherCpu / measured, benchCpuMs: benchCpuUs / 1000 / requests, sqlPerRequest: sql / requests,
  };
}

/** The HTTP floor: GET / (no database) at concurrency 8 for 5 s; CPU per request of the server and of the load generator. */
async function httpFloor() {
  let n = 0;
  const server0 = cpuOf(server.pid);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (performance.now() - t0 < 5000) { await call('GET', '/'); n++; }
  }));
  const cpu = process.cpuUsage(cpu0);
  return { rps: n / ((performance.now() - t0) / 1000), serverMs: ((cpuOf(server.pid) - server0) * 1000) / n, benchMs: (cpu.user + cpu.system) / 1000 / n };
}

/** The commit floor: 8 connections each UPDATE one row of a scratch table in autocommit for 3 s; MariaDB CPU per durable commit. */
async function commitFloor() {
  const conns = await Promise.all(Array.from({ length: 8 }, () => mysql.createConnection({ ...admin, database })));
  await conns[0].query('CREATE TABLE bench_commit (id INT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB');
  await conns[0].query('INSERT INTO bench_commit VALUES (0,0),(1,0),(2,0),(3,0),(4,0),(5,0),(6,0),(7,0)');
  let n = 0;
  const threads0 = await mariadbThreads();
  const t0 = performance.now();
  await Promise.all(conns.map(async (conn, k) => {
    while (performance.now() - t0 < 3000) { await conn.query('UPDATE bench_commit SET v = v + 1 WHERE id = ?', [k]); n++; }
  }));
  const seconds = (performance.now() - t0) / 1000;
  const used = mariadbCpuBetween(threads0, await mariadbThreads());
  await Promise.all(conns.map((conn) => conn.end()));
  return { perSecond: n / seconds, dbMs: ((used.connections + used.background) * 1000) / n };
}

const q = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];

/** "What bounds these numbers", from this run's own measurements. */
function boundsParagraph(p, floors) {
  const cores = os.cpus().length;
  const total = p.serverCpuMs + p.dbCpuMs + p.benchCpuMs;
  const floor = floors.http.serverMs + floors.http.benchMs + floors.commit.dbMs;
  const aim = (cores * 1000) / 3000;
  return [
    '## What bounds these numbers',
    '',
    `CPU: the server, MariaDB and the load generator share ${cores} cores. At concurrency ${p.concurrency} one request of the lifecycle`,
    `took ${total.toFixed(2)} ms of CPU in all (server ${p.serverCpuMs.toFixed(2)}, MariaDB ${p.dbCpuMs.toFixed(2)}, load generator ${p.benchCpuMs.toFixed(2)}); at that cost the cores`,
    `allow at most ${((cores * 1000) / total).toFixed(0)} req/s with nothing else running. This run got ${p.rps.toFixed(0)} req/s while other work on the machine`,
    `used ${p.otherCores.toFixed(2)} cores. Durable commits are not the limit: 8 connections made ${floors.commit.perSecond.toFixed(0)} one-row autocommit`,
    `UPDATEs/s (group commit), at ${floors.commit.dbMs.toFixed(2)} ms of MariaDB CPU each. Nor is the framework: GET / (no database) ran`,
    `at ${floors.http.rps.toFixed(0)} req/s for ${floors.http.serverMs.toFixed(2)} ms of server and ${floors.http.benchMs.toFixed(2)} ms of load generator CPU. Those floors add up to`,
    `${floor.toFixed(2)} ms per request; the other ${(total - floor).toFixed(2)} ms is the lifecycle's own work: its SQL (${p.sqlPerRequest.toFixed(2)} statements per`,
    'request, a durable commit per write), the status poll (it returns every job changed since the DAG started,',
    `${JOBS / 2} rows on average) and the request bodies. 3000 req/s needs at most ${aim.toFixed(2)} ms of CPU per request in all,`,
    `${(total / aim).toFixed(1)} times less than now. Latency follows: at concurrency ${p.concurrency} the mean is ${p.concurrency} / throughput`,
    `(${((p.concurrency * 1000) / p.rps).toFixed(1)} ms here) and the p99 (up to ${Math.max(...[...p.routes.values()].map((xs) => q(xs, 0.99))).toFixed(1)} ms) is requests queueing for the busy cores, so a p99`,
    'under 20 ms needs more throughput with cores to spare. bench/README.md breaks the cost down.',
    '',
  ];
}

// --- set up a database, the accounts and the schema, then start the server
const conn = await mysql.createConnection(admin);
await conn.query(`CREATE DATABASE \`${database}\``);
await conn.end();
const dbEnv = { DB_HOST: admin.host, DB_PORT: String(admin.port), DB_NAME: database };
await run(['initdb'], { ...dbEnv, DB_USER: admin.user, DB_PASS: admin.password, ...passwords });
const serverNodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
const server = spawn(process.execPath, [...serverNodeArgs, path.join(root, 'bin/jobmon-server.js'), 'web'], {
  env: { ...process.env, ...dbEnv, DB_USER: 'service_user', DB_PASS: passwords.JOBMON_PASS_SERVICE_USER, JQS_DB_PASS: passwords.JOBMON_PASS_READ_ONLY, LISTEN_HOST: '127.0.0.1', LISTEN_PORT: String(port), LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const serverLog = [];
server.stdout.on('data', (chunk) => serverLog.push(chunk.toString()));
for (let i = 0; ; i++) {
  try { if ((await fetch(`${base}/health`)).ok) break; } catch { /* not up yet */ }
  if (i > 100) throw new Error('server did not become healthy');
  await new Promise((r) => setTimeout(r, 200));
}

try {
  const points = [];
  const levels = (process.env.BENCH_CONCURRENCY ?? '1,8').split(',').map(Number);
  for (const concurrency of levels) points.push(await point(concurrency));
  const floors = { http: await httpFloor(), commit: await commitFloor() };
  // GET /dag/<id>/job over a 1000-job DAG
  const { dag_id } = await makeDag(JOBS);
  const listTimes = [];
  for (let i = 0; i < 30; i++) {
    const start = performance.now();
    const body = await call('GET', `/dag/${dag_id}/job`);
    listTimes.push(performance.now() - start);
    if (body.job_dcts.length !== JOBS) throw new Error('wrong job count');
  }
  const lines = [
    '# Server benchmark',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} x ${os.cpus()[0]?.model}, Node ${process.version}, MariaDB 10.11 (innodb_flush_log_at_trx_commit=1).`,
    `One jobmon-server web process (LOG_LEVEL=${process.env.BENCH_LOG_LEVEL ?? 'warn'}), the load generator (${CLIENT === 'fetch' ? 'fetch()' : 'node:http, keep-alive'}) and MariaDB share the same ${os.cpus().length} cores.`,
    `Each point runs the lifecycle (6 requests per job) over ${JOBS}-job DAGs for at least ${SECONDS} s.`,
    '',
    '| concurrency | requests | req/s | server CPU ms/req | MariaDB CPU ms/req (connections + background) | load generator CPU ms/req | SQL statements/req |',
    '|---|---|---|---|---|---|---|',
    ...points.map((p) => `| ${p.concurrency} | ${p.requests} | ${p.rps.toFixed(0)} | ${p.serverCpuMs.toFixed(2)} | ${p.dbCpuMs.toFixed(2)} (${p.dbConnectionsMs.toFixed(2)} + ${(p.dbCpuMs - p.dbConnectionsMs).toFixed(2)}) | ${p.benchCpuMs.toFixed(2)} | ${p.sqlPerRequest.toFixed(2)} |`),
    '',
    'CPU is counted over the measured lifecycles only (not the DAG set-up). MariaDB CPU counts the threads of',
    "the benchmark's connections and MariaDB's background threads (redo log, purge: shared with any other",
    `client), not the connection threads of other clients (all of mysqld: ${points.map((p) => `${p.dbAllCpuMs.toFixed(2)} ms/req at concurrency ${p.concurrency}`).join(', ')}).`,
    "SQL statements/req is MariaDB's server-wide `Questions` count, so other clients inflate it.",
    `Other work on the machine (other processes, other clients' MariaDB threads) used ${points.map((p) => `${p.otherCores.toFixed(2)} cores at concurrency ${p.concurrency}`).join(', ')} (of ${os.cpus().length}) during the measurement.`,
    '',
    '| route | concurrency | p50 ms | p99 ms |',
    '|---|---|---|---|',
    ...points.flatMap((p) => [...p.routes].map(([route, xs]) => `| ${route} | ${p.concurrency} | ${q(xs, 0.5).toFixed(2)} | ${q(xs, 0.99).toFixed(2)} |`)),
    '',
    `Requests retried after a 5xx (as the client would): ${retried}.`,
    '',
    `GET /dag/<id>/job with ${JOBS} jobs: p50 ${q(listTimes, 0.5).toFixed(1)} ms, p99 ${q(listTimes, 0.99).toFixed(1)} ms (30 calls).`,
    '',
    ...boundsParagraph(points.find((p) => p.concurrency === 8) ?? points.at(-1), floors),
  ];
  mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  writeFileSync(path.join(root, 'bench/results/server.md'), lines.join('\n'));
  process.stdout.write(lines.join('\n'));
} finally {
  const warnings = serverLog.join('').split('\n').filter(Boolean);
  if (warnings.length) process.stderr.write(`server log (last 5 of ${warnings.length}):\n${warnings.slice(-5).join('\n')}\n`);
  server.kill('SIGTERM');
  agent.destroy();
  const conn2 = await mysql.createConnection(admin);
  await conn2.query(`DROP DATABASE IF EXISTS \`${database}\``);
  await conn2.end();
}
