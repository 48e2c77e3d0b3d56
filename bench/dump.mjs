// Dump benchmark (issue 7): a Jobmon database with at least 1 million
// job_instance rows, dumped by `jobmon-ops dump` and by a direct mariadb-dump
// with the same flags (its password in an option file too, output redirected
// to a file as a shell would), interleaved rounds on the same database.
// Reports the ratio of medians into bench/results/dump.md. Aim: at most 5%
// slower. Needs the test MariaDB (bash scripts/test-mariadb.sh) and a build.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, openSync, closeSync, readSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 11);
const ROWS = Number(process.env.BENCH_ROWS ?? 1_048_576);
const admin = { host: '127.0.0.1', port: 33306, user: 'jobmon_admin', password: process.env.JOBMON_TEST_DB_PASS ?? 'jobmon-test-admin' };
// The test accounts' test-only passwords (test/helpers/mariadb.ts): initdb sets them, the dump logs in as read_only.
const passwords = { JOBMON_PASS_TABLE_CREATOR: 'tc-test-pass-4f1d', JOBMON_PASS_SERVICE_USER: 'su-test-pass-8b2e', JOBMON_PASS_READ_ONLY: 'ro-test-pass-2c7a' };
// jt_<name>_<base36 ms>_<hex>: the test sweeper removes it if this run dies.
const database = `jt_bench_dump_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
const FLAGS = ['--single-transaction', '--quick', '--routines', '--triggers', '--no-tablespaces', '--hex-blob', '--default-character-set=utf8mb4', '--databases', database];

/** Runs a command to its end; stdout to `out` (a file path) or ignored; rejects on a non-zero exit. */
function run(file, args, { env = process.env, out, expect = 0 } = {}) {
  return new Promise((resolve, reject) => {
    const fd = out ? openSync(out, 'w', 0o600) : 'ignore';
    const child = spawn(file, args, { env, stdio: ['ignore', fd, expect === 0 ? 'inherit' : 'ignore'] });
    child.on('exit', (code) => {
      if (out) closeSync(fd);
      if (code === expect) resolve();
      else reject(new Error(`${file} ${args[0]} exited ${code}`));
    });
  });
}

const timed = async (fn) => {
  const start = performance.now();
  await fn();
  return performance.now() - start;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sha256 = (file) =>
  new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file).on('data', (c) => hash.update(c)).on('end', () => resolve(hash.digest('hex'))).on('error', reject);
  });

// --- the database: schema and accounts by jobmon-server initdb, then rows by INSERT ... SELECT doubling
const conn = await mysql.createConnection(admin);
await conn.query(`CREATE DATABASE \`${database}\``);
const temp = await mkdtemp(path.join(os.tmpdir(), 'jobmon-ops-bench-dump-'));
try {
  await run(process.execPath, [path.join(root, 'bin/jobmon-server.js'), 'initdb'], {
    env: { ...process.env, DB_HOST: admin.host, DB_PORT: String(admin.port), DB_NAME: database, DB_USER: admin.user, DB_PASS: admin.password, ...passwords },
  });
  const fillStart = performance.now();
  await conn.query(`USE \`${database}\``);
  await conn.query("INSERT INTO task_dag (dag_id, dag_hash, name, `user`, heartbeat_date, created_date) VALUES (1, 'h', 'bench', 'bench', UTC_TIMESTAMP(), UTC_TIMESTAMP())");
  const jobs = Array.from({ length: 1024 }, (_, i) => [i + 1, 1, String(BigInt(`0x${randomBytes(20).toString('hex')}`)), `job ${i}`, `python task.py --location ${i} --draw 1000`, 'D']);
  await conn.query('INSERT INTO job (job_id, dag_id, job_hash, name, command, status) VALUES ?', [jobs]);
  await conn.query(
    "INSERT INTO job_instance (workflow_run_id, executor_type, executor_id, job_id, dag_id, usage_str, nodename, process_group_id, wallclock, maxrss, cpu, io, status, submitted_date, status_date) SELECT 1, 'SGEExecutor', job_id * 7, job_id, 1, 'wallclock=00:01:02, cpu=00:00:58, mem=1.2 GB', CONCAT('compute-', job_id % 97), job_id, '62', '1258291', '58', '0.5', 'D', UTC_TIMESTAMP(), UTC_TIMESTAMP() FROM job",
  );
  const cols = 'workflow_run_id, executor_type, executor_id, job_id, dag_id, usage_str, nodename, process_group_id, wallclock, maxrss, cpu, io, status, submitted_date, status_date';
  for (let n = 1024; n < ROWS; n *= 2) await conn.query(`INSERT INTO job_instance (${cols}) SELECT ${cols} FROM job_instance LIMIT ${ROWS - n}`);
  const [[{ n: rows }]] = await conn.query('SELECT COUNT(*) AS n FROM job_instance');
  console.log(`filled ${rows} job_instance rows in ${((performance.now() - fillStart) / 1000).toFixed(1)} s`);

  // --- what jobmon-ops reads: a registry, a configuration, a deployment record
  const version = '0.99.1';
  const registry = path.join(temp, 'ports.json');
  await writeFile(registry, JSON.stringify({ format: 1, internalPorts: { db: 3306, service: 80 }, references: [], history: [], hosts: { bench: { releases: [{ label: 'b.1', tag: `release-${version}`, jsm1: 39991, db: admin.port }] } } }));
  await writeFile(path.join(temp, 'config.json'), JSON.stringify({ hosts: { bench: { address: admin.host } } }));
  await mkdir(path.join(temp, 'deployments', version), { recursive: true, mode: 0o700 });
  const accounts = { root: 'unused', read_only: passwords.JOBMON_PASS_READ_ONLY };
  await writeFile(path.join(temp, 'deployments', version, `${new Date().toISOString()}.json`), JSON.stringify({ format: 1, version, database: { name: database, accounts } }), { mode: 0o600 });
  const env = { ...process.env, JOBMON_OPS_REGISTRY: registry, JOBMON_OPS_CONFIG: path.join(temp, 'config.json'), JOBMON_DEPLOYMENTS_DIR: path.join(temp, 'deployments'), NO_COLOR: '1' };
  const optionFile = path.join(temp, 'direct.cnf');
  await writeFile(optionFile, `[client]\nuser="read_only"\npassword="${passwords.JOBMON_PASS_READ_ONLY}"\nhost="${admin.host}"\nport=${admin.port}\nprotocol=TCP\n`, { mode: 0o600 });

  const ours = path.join(temp, 'ours.sql');
  const direct = path.join(temp, 'direct.sql');
  const synced = path.join(temp, 'synced.sql');
  const guarded = path.join(temp, 'guarded.sql');
  const cli = (checkout) => path.join(checkout, 'bin/jobmon-ops.js');
  // Both clients read exactly one option file (jobmon-ops passes --defaults-file, so ~/.my.cnf and /etc/mysql play no part).
  const directArgs = [`--defaults-file=${optionFile}`, ...FLAGS];
  const cases = {
    'jobmon-ops dump': () => run(process.execPath, [cli(root), 'dump', `release-${version}`, '--out', ours, '-q'], { env }),
    'mariadb-dump > file': () => run('mariadb-dump', directArgs, { out: direct }),
    // For reference: the direct client plus each guarantee jobmon-ops adds (the data on disk; a checksum too).
    'mariadb-dump > file; sync': async () => {
      await run('mariadb-dump', directArgs, { out: synced });
      await run('sync', [synced]);
    },
    'mariadb-dump > file; sha256sum; sync': async () => {
      await run('mariadb-dump', directArgs, { out: guarded });
      await run('sha256sum', [guarded]);
      await run('sync', [guarded]);
    },
    // The fixed cost: Node start-up, the command's modules, ports.json and the configuration, up to the error for an unknown port.
    'jobmon-ops dump --port <unknown> (start-up only)': () => run(process.execPath, [cli(root), 'dump', '--port', '1'], { env, expect: 2 }),
  };
  // BENCH_BASELINE=<another built checkout>: its jobmon-ops in the same rounds, for a before/after on the same machine and load.
  const baseline = process.env.BENCH_BASELINE;
  const baselineName = baseline ? `jobmon-ops dump, baseline ${path.basename(baseline)}` : undefined;
  if (baseline) cases[baselineName] = () => run(process.execPath, [cli(baseline), 'dump', `release-${version}`, '--out', path.join(temp, 'baseline.sql'), '-q'], { env });
  const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  const load0 = os.loadavg()[0];
  await cases['mariadb-dump > file'](); // warm the buffer pool and the page cache
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? Object.keys(cases) : Object.keys(cases).reverse();
    for (const name of order) times[name].push(await timed(cases[name]));
    console.log(`round ${round + 1}/${ROUNDS}: ${Object.entries(times).map(([k, v]) => `${k.split(' (')[0]} ${(v.at(-1) / 1000).toFixed(2)} s`).join(', ')}`);
  }
  // Where jobmon-ops's own time goes, run by run: a wrapper named mariadb-dump first on PATH notes when the client starts and
  // exits and its CPU time; /usr/bin/time gives the whole process's. So: start-up to the client, the tail after it, Node's CPU.
  const realClient = (await new Promise((resolve) => spawn('sh', ['-c', 'command -v mariadb-dump'], { stdio: ['ignore', 'pipe', 'ignore'] }).stdout.on('data', (d) => resolve(String(d).trim())))) || 'mariadb-dump';
  const wrapDir = path.join(temp, 'wrap');
  await mkdir(wrapDir);
  const log = path.join(temp, 'wrap-log');
  await writeFile(path.join(wrapDir, 'mariadb-dump'), `#!/bin/sh\ndate +%s%N > ${log}.spawned\n${realClient} "$@"\nrc=$?\ndate +%s%N > ${log}.ended\ntimes > ${log}.times\nexit $rc\n`, { mode: 0o755 });
  const seconds = (text) => text.split(/\s+/).filter(Boolean).map((t) => { const m = /^(\d+)m([\d.]+)s$/.exec(t); return m ? Number(m[1]) * 60 + Number(m[2]) : 0; });
  const hasTime = statSync('/usr/bin/time', { throwIfNoEntry: false }) !== undefined;
  async function phase(checkout, out) {
    // A new file: replacing one frees the old one's blocks inside the rename, as the direct client's redirect does when it truncates.
    await rm(out, { force: true });
    const started = performance.timeOrigin + performance.now();
    const argv = [process.execPath, cli(checkout), 'dump', `release-${version}`, '--out', out, '-q'];
    await (hasTime ? run('/usr/bin/time', ['-f', '%U %S', '-o', `${log}.cpu`, ...argv], { env: { ...env, PATH: `${wrapDir}:${env.PATH}` } }) : run(argv[0], argv.slice(1), { env: { ...env, PATH: `${wrapDir}:${env.PATH}` } }));
    const ended = performance.timeOrigin + performance.now();
    const spawnedAt = Number(await readFile(`${log}.spawned`, 'utf8')) / 1e6;
    const exitedAt = Number(await readFile(`${log}.ended`, 'utf8')) / 1e6;
    const [, , clientUser = 0, clientSys = 0] = seconds(await readFile(`${log}.times`, 'utf8'));
    const [allUser = NaN, allSys = NaN] = hasTime ? (await readFile(`${log}.cpu`, 'utf8')).trim().split(/\s+/).map(Number) : [];
    return { start: spawnedAt - started, client: exitedAt - spawnedAt, tail: ended - exitedAt, nodeCpu: allUser + allSys - clientUser - clientSys };
  }
  // The same wrapped client run directly into a file: how long the client alone takes in these runs.
  async function directPhase(out) {
    await rm(out, { force: true });
    await run(path.join(wrapDir, 'mariadb-dump'), directArgs, { out });
    return { client: Number(await readFile(`${log}.ended`, 'utf8')) / 1e6 - Number(await readFile(`${log}.spawned`, 'utf8')) / 1e6 };
  }
  const PHASE_RUNS = Number(process.env.BENCH_PHASE_RUNS ?? 7);
  const builds = { [path.basename(root)]: root, ...(baseline ? { [`baseline ${path.basename(baseline)}`]: baseline } : {}) };
  const phases = Object.fromEntries(Object.keys(builds).map((k) => [k, []]));
  const bareNode = [];
  const directPhases = [];
  for (let i = 0; i < PHASE_RUNS; i++) {
    directPhases.push(await directPhase(path.join(temp, 'phase-direct.sql')));
    for (const [name, checkout] of Object.entries(builds)) phases[name].push(await phase(checkout, path.join(temp, 'phase.sql')));
    bareNode.push(await timed(() => run(process.execPath, ['-e', '0'])));
  }
  const phaseMedian = (name, key) => median(phases[name].map((p) => p[key]));
  const ours0 = path.basename(root);
  const strip = (s) => s.replace(/^-- Dump completed on .*$/m, '');
  const same = strip(await readFile(ours, 'utf8')) === strip(await readFile(direct, 'utf8'));
  const size = statSync(ours).size;
  // What the checksum costs this process: CPU time of a sha256 over the dump, read from the page cache as jobmon-ops reads it
  // (synchronous reads of 512 kB, each hashed at once).
  const cpu0 = process.cpuUsage();
  const fd = openSync(ours, 'r');
  const chunk = Buffer.allocUnsafe(512 << 10);
  const hasher = createHash('sha256');
  for (let at = 0, n; (n = readSync(fd, chunk, 0, chunk.length, at)) > 0; at += n) hasher.update(chunk.subarray(0, n));
  closeSync(fd);
  hasher.digest();
  const hashCpu = process.cpuUsage(cpu0);
  const med = (name) => median(times[name]);
  const ratio = med('jobmon-ops dump') / med('mariadb-dump > file');
  // Each round's two runs are neighbours in time: their ratio cancels slow phases of a shared machine.
  const paired = median(times['jobmon-ops dump'].map((t, i) => t / times['mariadb-dump > file'][i]));
  const [ver] = await conn.query('SELECT VERSION() AS v');
  const s1 = (ms) => (ms / 1000).toFixed(2);
  const lines = [
    '# Dump benchmark',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} x ${os.cpus()[0]?.model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, MariaDB ${ver[0].v} (the test instance, same machine).`,
    `Database: ${rows} job_instance rows (1024 jobs, INSERT ... SELECT doubling); dump ${(size / 1e6).toFixed(1)} MB of SQL.`,
    `${ROUNDS} interleaved rounds after one warm-up dump; wall time of the whole process (jobmon-ops includes Node start-up, reading ports.json, the record, the option file, sha256, fsync).`,
    `Load average (1 min) at the start ${load0.toFixed(2)}, at the end ${os.loadavg()[0].toFixed(2)}: other work shared the machine, so single rounds vary.`,
    'Both use the same flags and one option file for the password (`--defaults-file`); the direct client writes straight to a file (a shell redirect), as jobmon-ops lets its client do.',
    'The ratio compares the first two rows. The next two add to the direct client what jobmon-ops guarantees (the data on disk; then a sha256 too); the start-up row is jobmon-ops stopping before the client, its fixed cost.',
    ...(baseline ? [`The baseline row is another checkout's build (${baseline}) in the same rounds.`] : []),
    '',
    '| command | median s | min s | max s |',
    '|---|---|---|---|',
    ...Object.entries(times).map(([name, xs]) => `| ${name} | ${s1(median(xs))} | ${s1(Math.min(...xs))} | ${s1(Math.max(...xs))} |`),
    '',
    `Ratio of medians: **${ratio.toFixed(3)}x** (${((ratio - 1) * 100).toFixed(1)}% ${ratio >= 1 ? 'slower' : 'faster'}); median of the per-round ratios: ${paired.toFixed(3)}x. Aim: at most 1.05x, ${ratio <= 1.05 ? 'met' : 'NOT met'}.`,
    ...(baseline ? [`Baseline: ${(med(baselineName) / med('mariadb-dump > file')).toFixed(3)}x the direct client (median of per-round ratios ${median(times[baselineName].map((t, i) => t / times['mariadb-dump > file'][i])).toFixed(3)}x).`] : []),
    `Against the direct client with its file put on disk too (\`; sync\`), as jobmon-ops puts its own: ${(med('jobmon-ops dump') / med('mariadb-dump > file; sync')).toFixed(3)}x.`,
    `The two dumps are identical apart from the completion time: ${same ? 'yes' : 'NO'} (sha256 of ours: ${(await sha256(ours)).slice(0, 16)}...).`,
    '',
    `Where jobmon-ops's own time goes (medians of ${PHASE_RUNS} more runs each, the client wrapped to note its start, exit and CPU time):`,
    '',
    '| run | start-up to the client ms | the client ms | after the client exits ms | Node CPU s (user+sys) |',
    '|---|---|---|---|---|',
    `| mariadb-dump > file | - | ${median(directPhases.map((p) => p.client)).toFixed(0)} | - | - |`,
    ...Object.keys(builds).map((name) => `| jobmon-ops dump, ${name} | ${phaseMedian(name, 'start').toFixed(0)} | ${phaseMedian(name, 'client').toFixed(0)} | ${phaseMedian(name, 'tail').toFixed(0)} | ${phaseMedian(name, 'nodeCpu').toFixed(2)} |`),
    '',
    '## What bounds it',
    '',
    `jobmon-ops runs the same client, writing into the file itself, so what it adds is fixed work plus its guarantees. The fixed work is the start-up before the client (${phaseMedian(ours0, 'start').toFixed(0)} ms here, of which bare Node, \`node -e 0\`, is ${median(bareNode).toFixed(0)} ms, the rest the CLI's modules, ports.json, the configuration and the record) and the tail after it (${phaseMedian(ours0, 'tail').toFixed(0)} ms: the last flush to disk, the rename, exit; replacing an existing file adds freeing the old one, about as long as the direct client's redirect takes to truncate it).`,
    `The guarantees cost while the client runs (the client column against the direct one). The ${(size / 1e6).toFixed(0)} MB must reach the disk before the rename (a crash must not leave a cut file under the final name). Flushed every 8 MB as the client writes, that disk traffic slows the client about as much as one sync at the end would take (the sync row: +${s1(med('mariadb-dump > file; sync') - med('mariadb-dump > file'))} s), but leaves almost nothing to wait for at the end (see the notes below for the alternatives tried). That flush, not Node, is most of the gap on this virtual disk.`,
    `The sha256 is read behind the client from the page cache and hashed at once: ${(hashCpu.user / 1e6).toFixed(2)} s user + ${(hashCpu.system / 1e6).toFixed(2)} s system CPU for ${(size / 1e6).toFixed(0)} MB when done alone (Node's whole share per dump, start-up included, is in the table). With MariaDB on the same ${os.cpus().length} cores that CPU time comes out of the server's and the client's; against a remote server, or with a core to spare, it overlaps.`,
    'On a shared machine the spread between rounds is larger than some of these differences, so read the per-round ratio and the phase table, not single rounds.',
    '',
  ];
  await mkdir(path.join(root, 'bench/results'), { recursive: true });
  // Notes kept by hand below the generated part (from a line `<!-- notes -->` on) survive a re-run.
  const previous = await readFile(path.join(root, 'bench/results/dump.md'), 'utf8').catch(() => '');
  const notes = previous.indexOf('<!-- notes -->');
  if (notes >= 0) lines.push(previous.slice(notes).trimEnd(), '');
  await writeFile(path.join(root, 'bench/results/dump.md'), lines.join('\n'));
  console.log(lines.join('\n'));
  if (!same) process.exitCode = 1;
} finally {
  await conn.query(`DROP DATABASE IF EXISTS \`${database}\``).catch(() => undefined);
  // MariaDB keeps the grants of a dropped database: initdb gave the accounts some on this one.
  const escaped = database.replace(/[\\_%]/g, (c) => `\\${c}`);
  const [grants] = await conn.query('SELECT DISTINCT GRANTEE AS g, TABLE_SCHEMA AS db FROM information_schema.SCHEMA_PRIVILEGES WHERE TABLE_SCHEMA IN (?, ?)', [database, escaped]);
  for (const { g, db } of grants) await conn.query(`REVOKE ALL PRIVILEGES ON \`${db}\`.* FROM ${g}`).catch(() => undefined);
  await conn.end();
  await rm(temp, { recursive: true, force: true });
}
