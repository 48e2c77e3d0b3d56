import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestServer, type TestServer } from '../../helpers/server.js';
import { expectError, instanceRow, instantiate, jobRow, newDag, newJob, ok, rows, runningInstance } from './jsm-steps.js';

const OLD = '2020-01-01 00:00:00';

describe('JSM routes: illegal moves leave no trace, repeats are tolerated, unknown ids are 404', () => {
  let server: TestServer;
  let dag: number;
  beforeAll(async () => {
    server = await startTestServer('jsm_moves');
    dag = await newDag(server);
  });
  afterAll(async () => {
    await server?.close();
  });

  /** Every row of the job and its instances and error rows, to prove a failed call changed nothing. */
  const snapshot = async (jobId: number) => ({
    job: await jobRow(server, jobId),
    instances: await rows(server, 'SELECT * FROM job_instance WHERE job_id = ? ORDER BY 1', [jobId]),
    errors: await rows(server, 'SELECT e.* FROM job_instance_error_log e JOIN job_instance USING (job_instance_id) WHERE job_id = ?', [jobId]),
    attributes: await rows(server, 'SELECT * FROM job_attribute WHERE job_id = ?', [jobId]),
  });
  const ageRows = (jobId: number) =>
    Promise.all([
      server.admin.query('UPDATE job SET status_date = ? WHERE job_id = ?', [OLD, jobId]),
      server.admin.query('UPDATE job_instance SET status_date = ? WHERE job_id = ?', [OLD, jobId]),
    ]);

  it('log_running on an instance whose job is Q (the original committed the JI half): 409, nothing changes', async () => {
    const job = await newJob(server, dag, { max_attempts: 3 });
    await ok(server, 'POST', `/job/${job.job_id}/queue`);
    const first = await instantiate(server, job.job_id);
    const second = await instantiate(server, job.job_id); // tolerated: job already I
    await ok(server, 'POST', `/job_instance/${first}/log_running`, { nodename: 'a', process_group_id: 1 });
    await ok(server, 'POST', `/job_instance/${first}/log_error`, { error_message: 'x' });
    expect((await jobRow(server, job.job_id)).status).toBe('Q');
    await ageRows(job.job_id);
    const before = await snapshot(job.job_id);
    const message = await expectError(server, 'POST', `/job_instance/${second}/log_running`, { nodename: 'b', process_group_id: 2 }, 409, 'illegal_transition');
    expect(message).toBe(`cannot move job ${job.job_id} from Q to R`);
    expect(await snapshot(job.job_id)).toEqual(before);
  });

  it.each([
    ['log_done on an instance in B', 'B', 'log_done', {}, 'job_instance', 'B', 'D'],
    ['log_error on an instance in I', 'I', 'log_error', { error_message: 'e' }, 'job_instance', 'I', 'E'],
    ['log_executor_id on an instance in R', 'R', 'log_executor_id', { executor_id: '999' }, 'job_instance', 'R', 'B'],
    ['log_running on an instance in D', 'D', 'log_running', { nodename: 'z', process_group_id: 3 }, 'job_instance', 'D', 'R'],
  ] as const)('%s: 409 naming entity, id, from and to; nothing changes', async (_name, state, route, body, entity, from, to) => {
    const job = await newJob(server, dag);
    await ok(server, 'POST', `/job/${job.job_id}/queue`);
    const ji = await instantiate(server, job.job_id);
    if (state !== 'I') await ok(server, 'POST', `/job_instance/${ji}/log_executor_id`, { executor_id: '5' });
    if (state === 'R' || state === 'D') await ok(server, 'POST', `/job_instance/${ji}/log_running`, { nodename: 'n', process_group_id: 4 });
    if (state === 'D') await ok(server, 'POST', `/job_instance/${ji}/log_done`);
    await ageRows(job.job_id);
    const before = await snapshot(job.job_id);
    const message = await expectError(server, 'POST', `/job_instance/${ji}/${route}`, body, 409, 'illegal_transition');
    expect(message).toBe(`cannot move ${entity} ${ji} from ${from} to ${to}`);
    expect(await snapshot(job.job_id)).toEqual(before);
  });

  it('queue: G->Q, Q again is tolerated, R or D is 409; num_attempts never changes', async () => {
    const job = await newJob(server, dag);
    expect(await ok(server, 'POST', `/job/${job.job_id}/queue`)).toEqual({});
    expect(await ok(server, 'POST', `/job/${job.job_id}/queue`)).toEqual({});
    expect(await jobRow(server, job.job_id)).toMatchObject({ status: 'Q', num_attempts: 0 });
    const ji = await runningInstance(server, job.job_id, { queue: false });
    expect(await expectError(server, 'POST', `/job/${job.job_id}/queue`, undefined, 409, 'illegal_transition')).toBe(
      `cannot move job ${job.job_id} from R to Q`,
    );
    await ok(server, 'POST', `/job_instance/${ji}/log_done`);
    await expectError(server, 'POST', `/job/${job.job_id}/queue`, undefined, 409, 'illegal_transition');
    expect(await jobRow(server, job.job_id)).toMatchObject({ status: 'D', num_attempts: 1 });
  });

  it('repeats are tolerated: a second JI for an I job, done twice, error twice (two error rows), executor id and running again', async () => {
    const job = await newJob(server, dag, { max_attempts: 5 });
    await ok(server, 'POST', `/job/${job.job_id}/queue`);
    const ji = await instantiate(server, job.job_id);
    const extra = await instantiate(server, job.job_id);
    expect(await jobRow(server, job.job_id)).toMatchObject({ status: 'I', num_attempts: 1 });
    await ok(server, 'POST', `/job_instance/${ji}/log_executor_id`, { executor_id: '1' });
    await ok(server, 'POST', `/job_instance/${ji}/log_executor_id`, { executor_id: '2' });
    expect(await instanceRow(server, ji)).toMatchObject({ status: 'B', executor_id: 2 });
    await ok(server, 'POST', `/job_instance/${ji}/log_running`, { nodename: 'a', process_group_id: 1 });
    await ok(server, 'POST', `/job_instance/${ji}/log_running`, { nodename: 'b', process_group_id: 2 });
    expect(await instanceRow(server, ji)).toMatchObject({ status: 'R', nodename: 'b', process_group_id: 2 });
    const done = `${dag} [${job.job_id}, "D"]`;
    expect(await ok(server, 'POST', `/job_instance/${ji}/log_done`)).toEqual({ message: done });
    expect(await ok(server, 'POST', `/job_instance/${ji}/log_done`)).toEqual({ message: done });
    expect(await jobRow(server, job.job_id)).toMatchObject({ status: 'D', num_attempts: 1 });
    expect((await instanceRow(server, extra)).status).toBe('I');

    const failing = await newJob(server, dag, { max_attempts: 5 });
    const bad = await runningInstance(server, failing.job_id);
    await ok(server, 'POST', `/job_instance/${bad}/log_error`, { error_message: 'one' });
    await ok(server, 'POST', `/job_instance/${bad}/log_error`, { error_message: 'two' });
    expect(await jobRow(server, failing.job_id)).toMatchObject({ status: 'Q', num_attempts: 1 });
    const errors = await rows(server, 'SELECT description FROM job_instance_error_log WHERE job_instance_id = ? ORDER BY id', [bad]);
    expect(errors.map((e) => e.description)).toEqual(['one', 'two']);
  });

  it('log_nodename sets the node only, with no move', async () => {
    const job = await newJob(server, dag);
    await ok(server, 'POST', `/job/${job.job_id}/queue`);
    const ji = await instantiate(server, job.job_id);
    expect(await ok(server, 'POST', `/job_instance/${ji}/log_nodename`, { nodename: 'node-7' })).toEqual({ message: '' });
    expect(await instanceRow(server, ji)).toMatchObject({ status: 'I', nodename: 'node-7' });
  });

  it('an unknown job or job instance is 404 naming it; an unknown DAG heartbeat is still 200 {}', async () => {
    const cases: Array<[string, string, unknown, string]> = [
      ['POST', '/job/999999/queue', undefined, 'job 999999 not found'],
      ['POST', '/job/999999/reset', undefined, 'job 999999 not found'],
      ['POST', '/job_instance', { job_id: '999999', executor_type: 'x' }, 'job 999999 not found'],
      ['POST', '/job_instance/999999/log_done', {}, 'job_instance 999999 not found'],
      ['POST', '/job_instance/999999/log_error', { error_message: 'e' }, 'job_instance 999999 not found'],
      ['POST', '/job_instance/999999/log_executor_id', { executor_id: '1' }, 'job_instance 999999 not found'],
      ['POST', '/job_instance/999999/log_running', { nodename: 'n', process_group_id: 1 }, 'job_instance 999999 not found'],
      ['POST', '/job_instance/999999/log_nodename', { nodename: 'n' }, 'job_instance 999999 not found'],
      ['POST', '/job_instance/999999/log_usage', { cpu: '1' }, 'job_instance 999999 not found'],
    ];
    for (const [method, path, body, message] of cases) {
      expect(await expectError(server, method, path, body, 404, 'not_found'), path).toBe(message);
    }
    expect(await rows(server, 'SELECT id FROM job_instance_error_log WHERE job_instance_id = 999999')).toEqual([]);
    const heartbeat = await call(server, 'POST', '/task_dag/999999/log_heartbeat');
    expect(heartbeat).toMatchObject({ status: 200, body: {} });
  });

  it('log_heartbeat stamps the DAG with the database clock', async () => {
    const own = await newDag(server);
    await server.admin.query('UPDATE task_dag SET heartbeat_date = ? WHERE dag_id = ?', [OLD, own]);
    expect(await ok(server, 'POST', `/task_dag/${own}/log_heartbeat`)).toEqual({});
    const [{ lag }] = (await rows(server, 'SELECT TIMESTAMPDIFF(SECOND, heartbeat_date, UTC_TIMESTAMP()) AS lag FROM task_dag WHERE dag_id = ?', [own])) as any;
    expect(lag).toBeLessThanOrEqual(2);
  });
});
