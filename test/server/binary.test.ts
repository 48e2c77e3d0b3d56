import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { TEST_DB, TEST_PASSWORDS, adminConnection, dropTestDatabase, uniqueTestName } from '../helpers/mariadb.js';
import { call } from '../helpers/server.js';

/**
 * The "done when": a fresh database, `jobmon-server initdb` as root,
 * then `jobmon-server web` (the built bin, as the image runs it) serves a
 * client's whole workflow, and stops cleanly on SIGTERM.
 */
const BIN = path.join(REPO_ROOT, 'bin/jobmon-server.js');
const database = uniqueTestName('bin');
const passwords = {
  JOBMON_PASS_TABLE_CREATOR: TEST_PASSWORDS.tableCreator,
  JOBMON_PASS_SERVICE_USER: TEST_PASSWORDS.serviceUser,
  JOBMON_PASS_READ_ONLY: TEST_PASSWORDS.readOnly,
};
const dbEnv = { DB_HOST: TEST_DB.host, DB_PORT: String(TEST_DB.port), DB_NAME: database };
const rootEnv = { ...dbEnv, DB_USER: TEST_DB.user, DB_PASS: TEST_DB.password, ...passwords };

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  return port;
}

const server = (env: Record<string, string>, ...args: string[]) =>
  execa(process.execPath, [BIN, ...args], { env, extendEnv: false, reject: false, stdin: 'ignore', timeout: 60_000 });

describe('jobmon-server, the built binary', () => {
  let web: ChildProcess | undefined;
  let webLog = '';
  let url = '';

  beforeAll(async () => {
    const first = await server(rootEnv, 'initdb');
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stdout).toContain(`schema`);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    web = spawn(process.execPath, [BIN, 'web'], {
      env: { ...dbEnv, DB_USER: 'service_user', DB_PASS: TEST_PASSWORDS.serviceUser, JQS_DB_PASS: TEST_PASSWORDS.readOnly, LISTEN_HOST: '127.0.0.1', LISTEN_PORT: String(port), PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    web.stdout!.on('data', (chunk: Buffer) => (webLog += chunk.toString()));
    web.stderr!.on('data', (chunk: Buffer) => (webLog += chunk.toString()));
    for (let i = 0; ; i++) {
      const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false);
      if (ok) break;
      if (i > 150) throw new Error(`web never became healthy:\n${webLog}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  afterAll(async () => {
    if (web && web.exitCode === null) web.kill('SIGKILL');
    const admin = await adminConnection();
    await dropTestDatabase(admin, database);
    await admin.end();
  });

  it('reports both pools, the schema and the monitor\'s last poll on /health', async () => {
    const health = await call({ url }, 'GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', jsm: 'ok', jqs: 'ok' });
    expect(health.body.schema).toBe(health.body.schemaWanted);
    // no monitor has polled this database yet
    expect(health.body.monitor).toMatchObject({ lastPollAt: null, stale: true });
  });

  it('initdb again is a no-op that says so', async () => {
    const again = await server(rootEnv, 'initdb');
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toMatch(/already at version \d+; nothing to do/);
  });

  it('serves a workflow in the client\'s order: success, retry until F, delta sync, reset, heartbeats', async () => {
    const s = { url };
    const { body: dag } = await call(s, 'POST', '/task_dag', { name: 'wf', user: 'alice', dag_hash: 'abc' });
    const { body: wf } = await call(s, 'POST', '/workflow', { dag_id: dag.dag_id, workflow_args: 'a', workflow_hash: 'h', name: 'wf', user: 'alice' });
    const { body: run } = await call(s, 'POST', '/workflow_run', {
      workflow_id: wf.workflow_dct.id, user: 'alice', hostname: 'vm', pid: 1, stderr: '/tmp', stdout: '/tmp', working_dir: '/tmp', project: 'p', slack_channel: 'c', executor_class: 'SequentialExecutor',
    });
    const { body: before } = await call(s, 'GET', `/dag/${dag.dag_id}/job_status`);
    const good = (await call(s, 'POST', '/job', { dag_id: dag.dag_id, name: 'good', job_hash: 123, command: 'true' })).body.job_dct;
    const bad = (await call(s, 'POST', '/job', { dag_id: dag.dag_id, name: 'bad', job_hash: 456, command: 'false', max_attempts: 2 })).body.job_dct;

    // success: queue, instantiate, executor id, running, usage, done
    expect((await call(s, 'POST', `/job/${good.job_id}/queue`, {})).status).toBe(200);
    const ji = (await call(s, 'POST', '/job_instance', { job_id: good.job_id, executor_type: 'SGEExecutor' })).body.job_instance_id;
    expect(ji).toBeGreaterThan(0);
    expect((await call(s, 'POST', `/job_instance/${ji}/log_executor_id`, { executor_id: '77' })).status).toBe(200);
    expect((await call(s, 'POST', `/job_instance/${ji}/log_running`, { nodename: 'n1', process_group_id: 9 })).status).toBe(200);
    expect((await call(s, 'POST', `/job_instance/${ji}/log_usage`, { wallclock: '1', maxrss: '1g' })).status).toBe(200);
    const done = await call(s, 'POST', `/job_instance/${ji}/log_done`, {});
    expect(done.body).toEqual({ message: `${dag.dag_id} [${good.job_id}, "D"]` });

    // failure, retried until max_attempts, then F
    await call(s, 'POST', `/job/${bad.job_id}/queue`, {});
    for (let attempt = 1; attempt <= 2; attempt++) {
      const id = (await call(s, 'POST', '/job_instance', { job_id: bad.job_id, executor_type: 'SGEExecutor' })).body.job_instance_id;
      await call(s, 'POST', `/job_instance/${id}/log_running`, { nodename: 'n2', process_group_id: 10 });
      const error = await call(s, 'POST', `/job_instance/${id}/log_error`, { error_message: `boom ${attempt}` });
      expect(error.body.message).toBe(attempt === 2 ? `${dag.dag_id} [${bad.job_id}, "F"]` : '');
    }
    const { body: jobs } = await call(s, 'GET', `/dag/${dag.dag_id}/job`);
    const byName = Object.fromEntries(jobs.job_dcts.map((j: { name: string }) => [j.name, j]));
    expect(byName.good).toMatchObject({ status: 'D', num_attempts: 1 });
    expect(byName.bad).toMatchObject({ status: 'F', num_attempts: 2, max_attempts: 2, last_nodename: 'n2' });

    // delta sync from the time taken before the jobs existed sees both
    const { body: delta } = await call(s, 'GET', `/dag/${dag.dag_id}/job_status?last_sync=${encodeURIComponent(before.time)}`);
    expect(delta.job_dcts.map((j: { status: string }) => j.status).sort()).toEqual(['D', 'F']);

    // resume: reset the incomplete jobs, heartbeat, finish the run
    expect((await call(s, 'POST', `/task_dag/${dag.dag_id}/reset_incomplete_jobs`, {})).status).toBe(200);
    expect((await call(s, 'POST', `/task_dag/${dag.dag_id}/log_heartbeat`, {})).body).toEqual({});
    const { body: after } = await call(s, 'GET', `/dag/${dag.dag_id}/job`);
    expect(after.job_dcts.map((j: { status: string }) => j.status).sort()).toEqual(['D', 'G']);
    expect((await call(s, 'PUT', '/workflow_run', { wfr_id: run.workflow_run_id, status: 'D', status_date: '2026-11-25 10:00:00' })).status).toBe(200);
  });

  it('finishes on SIGTERM with exit 0 and never logs a password', async () => {
    web!.kill('SIGTERM');
    const [code] = await once(web!, 'exit');
    expect(code).toBe(0);
    expect(webLog).toContain('shutting down');
    for (const secret of Object.values(passwords)) expect(webLog).not.toContain(secret);
  });

  it('names a missing variable in one line and exits 2', async () => {
    const result = await server({ ...dbEnv, DB_USER: 'service_user', DB_PASS: 'x' }, 'web');
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim()).toBe('jobmon-server web: JQS_DB_PASS is not set');
    const usage = await server({}, 'bogus');
    expect(usage.exitCode).toBe(2);
  });

  it('fails initdb with a wrong password without printing it', async () => {
    const result = await server({ ...rootEnv, DB_PASS: 'wrong-SENTINEL-pw' }, 'initdb');
    expect(result.exitCode).toBe(1);
    expect(result.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(`${result.stdout}${result.stderr}`).not.toContain('wrong-SENTINEL-pw');
  });
});
