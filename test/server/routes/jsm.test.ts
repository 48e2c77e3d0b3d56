import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import {
  expectError, instanceRow, instantiate, jobRow, newDag, newJob, newRun, newWorkflow, ok, row, rows, runningInstance,
} from './jsm-steps.js';

const OLD = '2020-01-01 00:00:00';

describe('JSM routes: the job life cycle (spec §7)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('jsm');
  });
  afterAll(async () => {
    await server?.close();
  });

  it('case 1: a new instance belongs to the newest run of the first workflow of its DAG', async () => {
    const dag = await newDag(server);
    const job = await newJob(server, dag);
    const workflow = await newWorkflow(server, dag);
    await newRun(server, workflow.id);
    const run = await newRun(server, workflow.id);
    await ok(server, 'POST', `/job/${job.job_id}/queue`);
    const ji = await instantiate(server, job.job_id);
    expect(await instanceRow(server, ji)).toMatchObject({ workflow_run_id: run, dag_id: dag, job_id: job.job_id, status: 'I' });
  });

  it('case 2: no workflow, or a workflow without runs (500 in the original), gives workflow_run_id NULL', async () => {
    const dag = await newDag(server);
    const lone = await newJob(server, dag);
    await ok(server, 'POST', `/job/${lone.job_id}/queue`);
    expect((await instanceRow(server, await instantiate(server, lone.job_id))).workflow_run_id).toBeNull();
    await newWorkflow(server, dag);
    const other = await newJob(server, dag);
    await ok(server, 'POST', `/job/${other.job_id}/queue`);
    expect((await instanceRow(server, await instantiate(server, other.job_id))).workflow_run_id).toBeNull();
  });

  it('case 3: queue, instance, executor id, running, usage, done: all 200, job D with 1 attempt, JI D', async () => {
    const dag = await newDag(server);
    const job = await newJob(server, dag);
    expect(await ok(server, 'POST', `/job/${job.job_id}/queue`)).toEqual({});
    const ji = await instantiate(server, job.job_id);
    expect(await ok(server, 'POST', `/job_instance/${ji}/log_executor_id`, { executor_id: '12345' })).toEqual({ message: '' });
    expect(await ok(server, 'POST', `/job_instance/${ji}/log_running`, { nodename: 'n1', process_group_id: '99' })).toEqual({ message: '' });
    const usage = { usage_str: 'used resources', wallclock: '0', maxrss: '1g', cpu: '00:00:00', io: '1' };
    expect(await ok(server, 'POST', `/job_instance/${ji}/log_usage`, usage)).toEqual({ message: null });
    expect(await ok(server, 'POST', `/job_instance/${ji}/log_done`, {})).toEqual({ message: `${dag} [${job.job_id}, "D"]` });
    expect(await jobRow(server, job.job_id)).toMatchObject({ status: 'D', num_attempts: 1 });
    expect(await instanceRow(server, ji)).toMatchObject({ status: 'D', executor_id: 12345, nodename: 'n1', process_group_id: 99 });
  });

  it('case 4: an error with max_attempts 1 is fatal: job F, JI E, one error row, F message', async () => {
    const dag = await newDag(server);
    const job = await newJob(server, dag);
    const ji = await runningInstance(server, job.job_id);
    const body = await ok(server, 'POST', `/job_instance/${ji}/log_error`, { error_message: 'this is an error message' });
    expect(body).toEqual({ message: `${dag} [${job.job_id}, "F"]` });
    expect((await jobRow(server, job.job_id)).status).toBe('F');
    expect((await instanceRow(server, ji)).status).toBe('E');
    const errors = await rows(server, 'SELECT description, error_time FROM job_instance_error_log WHERE job_instance_id = ?', [ji]);
    expect(errors).toEqual([{ description: 'this is an error message', error_time: expect.stringMatching(/^\d{4}-/) }]);
  });

  it('case 5 (fixed): instantiating a job in G is 409 naming job, id, from and to, and leaves no instance', async () => {
    const dag = await newDag(server);
    const job = await newJob(server, dag);
    const message = await expectError(server, 'POST', '/job_instance', { job_id: job.job_id, executor_type: 'x' }, 409, 'illegal_transition');
    expect(message).toBe(`cannot move job ${job.job_id} from G to I`);
    expect(await rows(server, 'SELECT * FROM job_instance WHERE job_id = ?', [job.job_id])).toEqual([]);
    expect(await jobRow(server, job.job_id)).toMatchObject({ status: 'G', num_attempts: 0 });
  });

  it('cases 6 and 7: log_usage sets the five columns and one job_attribute row per value', async () => {
    const dag = await newDag(server);
    const job = await newJob(server, dag);
    const ji = await runningInstance(server, job.job_id);
    await ok(server, 'POST', `/job_instance/${ji}/log_running`, { nodename: 'host.example.org', process_group_id: 5 });
    const usage = { usage_str: 'used resources', wallclock: '0', maxrss: '1g', cpu: '00:00:00', io: '1' };
    await ok(server, 'POST', `/job_instance/${ji}/log_usage`, usage);
    expect(await instanceRow(server, ji)).toMatchObject({ ...usage, nodename: 'host.example.org' });
    await ok(server, 'POST', `/job_instance/${ji}/log_done`);
    const attributes = await rows(server, 'SELECT attribute_type, value FROM job_attribute WHERE job_id = ? ORDER BY attribute_type', [job.job_id]);
    expect(attributes).toEqual([
      { attribute_type: 13, value: '0' }, { attribute_type: 14, value: '00:00:00' }, { attribute_type: 15, value: '1' },
      { attribute_type: 16, value: '1g' }, { attribute_type: 17, value: 'used resources' },
    ]);
  });

  it('log_usage (fixed): equal values keep a row each, unsent columns keep their values, maxvmem is ignored', async () => {
    const dag = await newDag(server);
    const job = await newJob(server, dag);
    const ji = await runningInstance(server, job.job_id);
    await ok(server, 'POST', `/job_instance/${ji}/log_usage`, { usage_str: 'u', wallclock: '0', maxrss: '1g', cpu: 'c', io: '0' });
    await ok(server, 'POST', `/job_instance/${ji}/log_usage`, { cpu: '00:01:00', maxvmem: '3g', io: null });
    expect(await instanceRow(server, ji)).toMatchObject({ usage_str: 'u', wallclock: '0', maxrss: '1g', cpu: '00:01:00', io: null });
    const attributes = await rows(server, 'SELECT attribute_type, value FROM job_attribute WHERE job_id = ? ORDER BY id', [job.job_id]);
    expect(attributes.map((a) => `${a.attribute_type}=${a.value}`)).toEqual(['17=u', '13=0', '14=c', '15=0', '16=1g', '14=00:01:00']);
  });

  it('case 8 (fixed): /job/<id>/reset: job G with 0 attempts and a new status_date, every JI E, one stamped error row per JI', async () => {
    const dag = await newDag(server);
    const job = await newJob(server, dag, { max_attempts: '3' });
    const first = await runningInstance(server, job.job_id);
    await ok(server, 'POST', `/job_instance/${first}/log_error`, { error_message: 'error 1' });
    const second = await runningInstance(server, job.job_id, { queue: false });
    await ok(server, 'POST', `/job_instance/${second}/log_error`, { error_message: 'error 2' });
    const third = await runningInstance(server, job.job_id, { queue: false });
    expect(await jobRow(server, job.job_id)).toMatchObject({ status: 'R', num_attempts: 3, max_attempts: 3 });
    await server.admin.query('UPDATE job SET status_date = ? WHERE job_id = ?', [OLD, job.job_id]);

    expect(await ok(server, 'POST', `/job/${job.job_id}/reset`)).toEqual({});
    const after = await jobRow(server, job.job_id);
    expect(after).toMatchObject({ status: 'G', num_attempts: 0 });
    expect(after.status_date > OLD).toBe(true);
    const instances = await rows(server, 'SELECT job_instance_id, status FROM job_instance WHERE job_id = ? ORDER BY 1', [job.job_id]);
    expect(instances).toEqual([first, second, third].map((id) => ({ job_instance_id: id, status: 'E' })));
    const errors = await rows(
      server,
      'SELECT job_instance_id, description, error_time FROM job_instance_error_log WHERE job_instance_id IN (?) ORDER BY id',
      [[first, second, third]],
    );
    expect(errors.map((e) => [e.job_instance_id, e.description])).toEqual([
      [first, 'error 1'], [second, 'error 2'], [first, 'Job RESET requested'], [second, 'Job RESET requested'], [third, 'Job RESET requested'],
    ]);
    expect(errors.every((e) => e.error_time !== null)).toBe(true);
  });

  it('case 11 (fixed): reset_incomplete_jobs turns {D, F, F, G} into {D, G, G, G}, stamping jobs and error rows', async () => {
    const dag = await newDag(server);
    const jobs = [await newJob(server, dag), await newJob(server, dag), await newJob(server, dag), await newJob(server, dag)];
    const done = await runningInstance(server, jobs[0].job_id);
    await ok(server, 'POST', `/job_instance/${done}/log_done`);
    const failed = [];
    for (const job of jobs.slice(1, 3)) {
      failed.push(await runningInstance(server, job.job_id));
      await ok(server, 'POST', `/job_instance/${failed.at(-1)}/log_error`, { error_message: 'boom' });
    }
    await server.admin.query('UPDATE job SET status_date = ? WHERE dag_id = ?', [OLD, dag]);

    expect(await ok(server, 'POST', `/task_dag/${dag}/reset_incomplete_jobs`)).toEqual({});
    const after = await rows(server, 'SELECT status, num_attempts, status_date FROM job WHERE dag_id = ? ORDER BY job_id', [dag]);
    expect(after.map((j) => j.status)).toEqual(['D', 'G', 'G', 'G']);
    expect(after.map((j) => j.num_attempts)).toEqual([1, 0, 0, 0]);
    expect(after.map((j) => j.status_date > OLD)).toEqual([false, true, true, true]);
    expect((await instanceRow(server, done)).status).toBe('D');
    const resets = await rows(server, "SELECT job_instance_id, error_time FROM job_instance_error_log WHERE description = 'Job RESET requested' AND job_instance_id IN (?)", [[done, ...failed]]);
    expect(resets.map((r) => r.job_instance_id).sort()).toEqual([...failed].sort());
    expect(resets.every((r) => r.error_time !== null)).toBe(true);
    expect(await ok(server, 'POST', '/task_dag/999999/reset_incomplete_jobs')).toEqual({});
  });

  it('a job that keeps failing is retried until max_attempts and ends F with num_attempts == max_attempts', async () => {
    const dag = await newDag(server);
    const job = await newJob(server, dag, { max_attempts: 3 });
    await ok(server, 'POST', `/job/${job.job_id}/queue`);
    const messages = [];
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      const ji = await runningInstance(server, job.job_id, { queue: false });
      messages.push((await ok(server, 'POST', `/job_instance/${ji}/log_error`, { error_message: `attempt ${attempt}` })).message);
      expect(await jobRow(server, job.job_id)).toMatchObject({ status: attempt < 3 ? 'Q' : 'F', num_attempts: attempt });
    }
    expect(messages).toEqual(['', '', `${dag} [${job.job_id}, "F"]`]);
    await expectError(server, 'POST', '/job_instance', { job_id: job.job_id, executor_type: 'x' }, 409, 'illegal_transition');
    expect(await rows(server, 'SELECT job_instance_id FROM job_instance WHERE job_id = ?', [job.job_id])).toHaveLength(3);
    // a job whose error is on a B instance (never ran) goes through I -> E -> Q
    const other = await newJob(server, dag, { max_attempts: 2 });
    await ok(server, 'POST', `/job/${other.job_id}/queue`);
    const submitted = await instantiate(server, other.job_id);
    await ok(server, 'POST', `/job_instance/${submitted}/log_executor_id`, { executor_id: '7' });
    await ok(server, 'POST', `/job_instance/${submitted}/log_error`, { error_message: 'missing from qstat' });
    expect(await jobRow(server, other.job_id)).toMatchObject({ status: 'Q', num_attempts: 1 });
  });

  it('case 34: mem_free, max_attempts and max_runtime_seconds are stored as sent and the job ends D', async () => {
    const dag = await newDag(server);
    const job = await newJob(server, dag, { mem_free: '1G', max_attempts: 2, max_runtime_seconds: 60 });
    expect(job).toMatchObject({ mem_free: '1G', max_attempts: 2, max_runtime_seconds: 60 });
    await ok(server, 'POST', `/job_instance/${await runningInstance(server, job.job_id)}/log_done`);
    expect(await jobRow(server, job.job_id)).toMatchObject({ mem_free: '1G', max_attempts: 2, max_runtime_seconds: 60, status: 'D' });
  });

  it('case 36: rows created a second apart have distinct dates, taken from the database clock', async () => {
    const created = async () => {
      const dag = await newDag(server);
      const workflow = await newWorkflow(server, dag);
      const run = await newRun(server, workflow.id);
      return { dag, workflow: workflow.id, run, job: (await newJob(server, dag)).job_id };
    };
    const dbNow = async () => (await row(server, 'SELECT UTC_TIMESTAMP() AS now')).now as string;
    const before = await dbNow();
    const first = await created();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const second = await created();
    const after = await dbNow();
    const dates = async (ids: typeof first) => [
      (await row(server, 'SELECT created_date AS d FROM task_dag WHERE dag_id = ?', [ids.dag])).d,
      (await row(server, 'SELECT created_date AS d FROM workflow WHERE id = ?', [ids.workflow])).d,
      (await row(server, 'SELECT created_date AS d FROM workflow_run WHERE id = ?', [ids.run])).d,
      (await row(server, 'SELECT submitted_date AS d FROM job WHERE job_id = ?', [ids.job])).d,
    ] as string[];
    const [a, b] = [await dates(first), await dates(second)];
    a.forEach((date, i) => expect(date).not.toBe(b[i]));
    for (const date of [...a, ...b]) expect(date >= before && date <= after).toBe(true);
  });
});
