import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWireJson } from '../../../src/server/http/json.js';
import { call, startTestServer, type TestServer } from '../../helpers/server.js';
import { insertDag, insertJob, insertJobInstance, OLD, sqlValue } from './jqs-rows.js';

// Field lists of the recorded 0.8.7 conversation (fixtures/jobmon087-client-trace.json, exchanges 48 and 17).
const JOB_WIRE_KEYS = [
  ...['command', 'context_args', 'dag_id', 'j_resource', 'job_hash', 'job_id', 'last_nodename', 'last_process_group_id', 'max_attempts'],
  ...['max_runtime_seconds', 'mem_free', 'name', 'num_attempts', 'num_cores', 'queue', 'slots', 'status', 'tag'],
];
const HASH_160 = '1234567890123456789012345678901234567890123';
const TIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('JQS job sync routes', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('jqs_sync');
  });
  afterAll(async () => {
    await server?.close();
  });

  it('GET /dag/<id>/job returns Job.to_wire rows with the newest instance and the DB time', async () => {
    const dag = await insertDag(server.admin);
    const jobRow = { job_hash: HASH_160, name: 'one', tag: 't', command: 'echo 1', slots: 2, num_cores: 1, mem_free: '1G', max_runtime_seconds: 60 };
    const job = await insertJob(server.admin, dag, { ...jobRow, status: 'Q', num_attempts: 1, max_attempts: 3, queue: 'all.q', j_resource: 1 });
    const bare = await insertJob(server.admin, dag, { name: 'two', status: 'G' });
    await insertJobInstance(server.admin, job, dag, { nodename: 'old-node', process_group_id: 11, status: 'E' });
    await insertJobInstance(server.admin, job, dag, { nodename: 'new-node', process_group_id: 22, status: 'E' });

    const all = await call(server, 'GET', `/dag/${dag}/job`);
    expect(all.status).toBe(200);
    expect(all.body.time).toMatch(TIME);
    expect(all.body.job_dcts.map((j: { job_id: number }) => j.job_id)).toEqual([job, bare]);
    expect(Object.keys(all.body.job_dcts[0]).sort()).toEqual(JOB_WIRE_KEYS);
    expect(all.body.job_dcts[0]).toEqual({
      ...jobRow,
      dag_id: dag,
      job_id: job,
      status: 'Q',
      num_attempts: 1,
      max_attempts: 3,
      context_args: '{}',
      queue: 'all.q',
      j_resource: true,
      last_nodename: 'new-node',
      last_process_group_id: 22,
    });
    expect(all.body.job_dcts[1]).toMatchObject({ job_id: bare, last_nodename: null, last_process_group_id: null, j_resource: false });

    const queued = await call(server, 'GET', `/dag/${dag}/job?status=Q`);
    expect(queued.body.job_dcts.map((j: { job_id: number }) => j.job_id)).toEqual([job]);
  });

  it('delta sync with last_sync returns only rows changed since, and time advances (case 35)', async () => {
    const dag = await insertDag(server.admin);
    const a = await insertJob(server.admin, dag, { job_hash: HASH_160 });
    const b = await insertJob(server.admin, dag, { job_hash: '7' });
    const first = await call(server, 'GET', `/dag/${dag}/job_status`);
    expect(first.body.job_dcts.map((j: { job_id: number }) => j.job_id)).toEqual([a, b]);
    await sleep(1_100);
    await server.admin.query("UPDATE job SET status = 'F', status_date = UTC_TIMESTAMP() WHERE job_id = ?", [a]);

    const since = `last_sync=${encodeURIComponent(first.body.time)}`;
    const second = await call(server, 'GET', `/dag/${dag}/job_status?${since}`);
    expect(second.status).toBe(200);
    expect(second.body.time > first.body.time).toBe(true);
    expect(second.body.job_dcts).toHaveLength(1);
    expect(parseWireJson(second.text)).toEqual({ job_dcts: [{ job_hash: HASH_160, job_id: a, status: 'F' }], time: second.body.time });
    const full = await call(server, 'GET', `/dag/${dag}/job?${since}`);
    expect(full.body.job_dcts.map((j: { job_id: number }) => j.job_id)).toEqual([a]);
    const filtered = await call(server, 'GET', `/dag/${dag}/job_status?${since}&status=G`);
    expect(filtered.body.job_dcts).toEqual([]);
  });

  it('job_status sends a 160-bit job_hash as a bare integer with every digit, odd hashes as strings', async () => {
    const dag = await insertDag(server.admin);
    const big = await insertJob(server.admin, dag, { job_hash: HASH_160, status: 'Q' });
    const padded = await insertJob(server.admin, dag, { job_hash: '0042' });
    const text = await insertJob(server.admin, dag, { job_hash: 'not-a-number' });

    const response = await call(server, 'GET', `/dag/${dag}/job_status`);
    expect(response.status).toBe(200);
    expect(response.text).toContain(`{"job_hash":${HASH_160},"job_id":${big},"status":"Q"}`);
    expect(response.text).toContain(`{"job_hash":42,"job_id":${padded},"status":"G"}`);
    expect(response.text).toContain(`{"job_hash":"not-a-number","job_id":${text},"status":"G"}`);
    expect(response.text).toMatch(/^\{"job_dcts":\[.*\],"time":"[\d :-]+"\}$/);
  });

  it('executor ids: status=B&status=R gives exactly the B and R instances of the DAG (case 30)', async () => {
    const dag = await insertDag(server.admin);
    const other = await insertDag(server.admin);
    const job = await insertJob(server.admin, dag, { status: 'R' });
    const ids: Record<string, number> = {};
    for (const [status, executorId] of [['I', 1], ['B', 2], ['R', 3], ['D', 4], ['E', 5]] as const) {
      const row = { status, executor_id: executorId, status_date: sqlValue('UTC_TIMESTAMP()') };
      ids[status] = await insertJobInstance(server.admin, job, dag, row);
    }
    await insertJobInstance(server.admin, await insertJob(server.admin, other), other, { status: 'B', executor_id: 9 });

    const both = await call(server, 'GET', `/dag/${dag}/job_instance_executor_ids?status=B&status=R`);
    expect(both).toMatchObject({ status: 200, body: { jiid_exid_tuples: [[ids.B, 2], [ids.R, 3]] } });
    const one = await call(server, 'GET', `/dag/${dag}/job_instance_executor_ids?status=B`);
    expect(one.body).toEqual({ jiid_exid_tuples: [[ids.B, 2]] });
    const none = await call(server, 'GET', `/dag/${dag}/job_instance_executor_ids`);
    expect(none.body).toEqual({ jiid_exid_tuples: [] });
    const fresh = await call(server, 'GET', `/dag/${dag}/job_instance_executor_ids?status=B&status=R&runtime=timed_out`);
    expect(fresh.body).toEqual({ jiid_exid_tuples: [] });
  });

  it('runtime=timed_out compares whole seconds with max_runtime_seconds (case 29, TIME vs INT fixed)', async () => {
    const dag = await insertDag(server.admin);
    const limited = await insertJob(server.admin, dag, { max_runtime_seconds: 100, status: 'R' });
    const unlimited = await insertJob(server.admin, dag, { max_runtime_seconds: null, status: 'R' });
    const ago = (seconds: number) => sqlValue(`UTC_TIMESTAMP() - INTERVAL ${seconds} SECOND`);
    const at70 = await insertJobInstance(server.admin, limited, dag, { status: 'R', executor_id: 70, status_date: ago(70) });
    const at150 = await insertJobInstance(server.admin, limited, dag, { status: 'B', executor_id: 150, status_date: ago(150) });
    await insertJobInstance(server.admin, unlimited, dag, { status: 'R', executor_id: 1, status_date: ago(86_400) });

    const response = await call(server, 'GET', `/dag/${dag}/job_instance_executor_ids?status=B&status=R&runtime=timed_out`);
    expect(response.body).toEqual({ jiid_exid_tuples: [[at150, 150]] });
    // The original's TIMEDIFF(now, status_date) > 100 reads 00:01:10 as 110 and would have killed the 70 s instance.
    const [rows] = await server.admin.query(
      'SELECT TIMEDIFF(UTC_TIMESTAMP(), status_date) > 100 AS quirk FROM job_instance WHERE job_instance_id = ?',
      [at70],
    );
    expect((rows as Array<{ quirk: number }>)[0]!.quirk).toBe(1);
  });

  it('GET /dag/<id>/job returns all 1000 jobs of a DAG with each one newest instance', async () => {
    const dag = await insertDag(server.admin);
    const jobs = Array.from({ length: 1000 }, (_, i) => [dag, String(10n ** 40n + BigInt(i)), `job-${i}`, 'true', 'Q', 0, 3, OLD, OLD]);
    const columns = 'dag_id, job_hash, name, command, status, num_attempts, max_attempts, submitted_date, status_date';
    await server.admin.query(`INSERT INTO job (${columns}) VALUES ?`, [jobs]);
    const [rows] = await server.admin.query('SELECT job_id, name FROM job WHERE dag_id = ? ORDER BY job_id', [dag]);
    const created = rows as Array<{ job_id: number; name: string }>;
    const instances = created
      .filter((_, i) => i % 10 !== 0)
      .flatMap(({ job_id, name }, i) => [[job_id, dag, 'E', `old-${name}`, i], [job_id, dag, 'R', `new-${name}`, i + 5000]]);
    await server.admin.query('INSERT INTO job_instance (job_id, dag_id, status, nodename, process_group_id) VALUES ?', [instances]);

    const response = await call(server, 'GET', `/dag/${dag}/job`);
    expect(response.status).toBe(200);
    expect(response.body.job_dcts).toHaveLength(1000);
    response.body.job_dcts.forEach((job: { job_id: number; name: string; last_nodename: string | null }, i: number) => {
      expect(job.job_id).toBe(created[i]!.job_id);
      expect(job.last_nodename).toBe(i % 10 === 0 ? null : `new-${job.name}`);
    });
  });
});
