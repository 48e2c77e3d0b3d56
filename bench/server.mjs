// Server benchmark (issue 3): drives the client's job lifecycle (queue, create
// instance, executor id, running, done, plus the status poll: 6 requests per
// job) against `jobmon-server web` on a local MariaDB with durable commits, at
// concurrency 1 and 8, each point for at least BENCH_SECONDS (default 30).
// Also times GET /dag/<id>/job for a 1000-job DAG. Writes bench/results/server.md.
// Needs the test MariaDB (bash scripts/test-mariadb.sh) and a build (npm run build).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
const mariadbPid = () => Number(readFileSync('/run/jobmon-test-mariadb/mysqld.pid', 'utf8').trim());

function run(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'bin/jobmon-server.js'), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`jobmon-server ${args[0]} exited ${code}`))));
  });
}

let retried = 0;
/** One request; a 5xx is retried as the 0.8 client does (counted and reported), anything else fails the run. */
async function call(method, route, body) {
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(`${base}${route}`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    if (response.ok) return text ? JSON.parse(text) : {};
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

async function point(concurrency) {
  latencies.clear();
  const serverCpu0 = cpuOf(server.pid);
  const dbCpu0 = cpuOf(mariadbPid());
  const start = performance.now();
  let requests = 0;
  while (performance.now() - start < SECONDS * 1000) {
    const { dag_id, ids } = await makeDag(JOBS); // setup, not measured
    const { time } = await call('GET', '/time');
    let next = 0;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < ids.length) await lifecycle(dag_id, ids[next++], time);
    }));
    requests += ids.length * 6;
    latencies.set('_elapsed', [...(latencies.get('_elapsed') ?? []), performance.now() - t0]);
  }
  const measured = latencies.get('_elapsed').reduce((a, b) => a + b, 0) / 1000;
  latencies.delete('_elapsed');
  const serverCpu = cpuOf(server.pid) - serverCpu0;
  const dbCpu = cpuOf(mariadbPid()) - dbCpu0;
  return { concurrency, requests, seconds: measured, rps: requests / measured, routes: new Map(latencies), serverCpuMs: (serverCpu * 1000) / requests, dbCpuMs: (dbCpu * 1000) / requests };
}

const q = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];

// --- set up a database, the accounts and the schema, then start the server
const conn = await mysql.createConnection(admin);
await conn.query(`CREATE DATABASE \`${database}\``);
await conn.end();
const dbEnv = { DB_HOST: admin.host, DB_PORT: String(admin.port), DB_NAME: database };
await run(['initdb'], { ...dbEnv, DB_USER: admin.user, DB_PASS: admin.password, ...passwords });
const server = spawn(process.execPath, [path.join(root, 'bin/jobmon-server.js'), 'web'], {
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
  for (const concurrency of [1, 8]) points.push(await point(concurrency));
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
    `One jobmon-server web process (LOG_LEVEL=${process.env.BENCH_LOG_LEVEL ?? 'warn'}), the load generator and MariaDB share the same ${os.cpus().length} cores.`,
    `Each point runs the lifecycle (6 requests per job) over ${JOBS}-job DAGs for at least ${SECONDS} s.`,
    '',
    '| concurrency | requests | req/s | server CPU ms/req | MariaDB CPU ms/req |',
    '|---|---|---|---|---|',
    ...points.map((p) => `| ${p.concurrency} | ${p.requests} | ${p.rps.toFixed(0)} | ${p.serverCpuMs.toFixed(2)} | ${p.dbCpuMs.toFixed(2)} |`),
    '',
    '| route | concurrency | p50 ms | p99 ms |',
    '|---|---|---|---|',
    ...points.flatMap((p) => [...p.routes].map(([route, xs]) => `| ${route} | ${p.concurrency} | ${q(xs, 0.5).toFixed(2)} | ${q(xs, 0.99).toFixed(2)} |`)),
    '',
    `Requests retried after a 5xx (as the client would): ${retried}.`,
    '',
    `GET /dag/<id>/job with ${JOBS} jobs: p50 ${q(listTimes, 0.5).toFixed(1)} ms, p99 ${q(listTimes, 0.99).toFixed(1)} ms (30 calls).`,
    '',
  ];
  mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  writeFileSync(path.join(root, 'bench/results/server.md'), lines.join('\n'));
  process.stdout.write(lines.join('\n'));
} finally {
  const warnings = serverLog.join('').split('\n').filter(Boolean);
  if (warnings.length) process.stderr.write(`server log (last 5 of ${warnings.length}):\n${warnings.slice(-5).join('\n')}\n`);
  server.kill('SIGTERM');
  const conn2 = await mysql.createConnection(admin);
  await conn2.query(`DROP DATABASE IF EXISTS \`${database}\``);
  await conn2.end();
}
