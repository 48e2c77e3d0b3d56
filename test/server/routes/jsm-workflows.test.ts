import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { jobRow, newDag, newJob, newRun, newWorkflow, ok, row, rows, runningInstance } from './jsm-steps.js';

const OLD = '2020-01-01 00:00:00';

describe('JSM routes: workflows, runs and attributes', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('jsm_wf');
  });
  afterAll(async () => {
    await server?.close();
  });

  it('POST /workflow returns Workflow.to_wire in C; description defaults to "" only when absent', async () => {
    const dag = await newDag(server);
    const workflow = await newWorkflow(server, dag);
    expect(workflow).toEqual({
      id: workflow.id, dag_id: dag, workflow_args: 'args', workflow_hash: 'wfh', description: '', name: 'wf', user: 'alice', status: 'C',
    });
    expect((await newWorkflow(server, dag, { description: null })).description).toBeNull();
  });

  it('case 17: a new run stops every earlier run (even E), leaving their status_date; resume resets the failed job', async () => {
    const dag = await newDag(server);
    const workflow = await newWorkflow(server, dag);
    const oldRun = await newRun(server, workflow.id);
    const done = await newJob(server, dag);
    const failed = await newJob(server, dag, { max_attempts: 3 });
    await ok(server, 'POST', `/job_instance/${await runningInstance(server, done.job_id)}/log_done`);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const ji = await runningInstance(server, failed.job_id, { queue: attempt === 0 });
      await ok(server, 'POST', `/job_instance/${ji}/log_error`, { error_message: 'fails' });
    }
    expect(await jobRow(server, failed.job_id)).toMatchObject({ status: 'F', num_attempts: 3, max_attempts: 3 });
    await ok(server, 'PUT', '/workflow', { wf_id: workflow.id, status: 'E', status_date: '2030-01-01 00:00:00.123456' });
    await ok(server, 'PUT', '/workflow_run', { wfr_id: oldRun, status: 'E', status_date: '2030-01-01 00:00:00.654321' });

    const newRunId = await newRun(server, workflow.id);
    await ok(server, 'POST', `/task_dag/${dag}/reset_incomplete_jobs`);
    expect(await jobRow(server, failed.job_id)).toMatchObject({ status: 'G', num_attempts: 0, max_attempts: 3 });
    const ji = await runningInstance(server, failed.job_id);
    expect((await row(server, 'SELECT workflow_run_id FROM job_instance WHERE job_instance_id = ?', [ji])).workflow_run_id).toBe(newRunId);
    await ok(server, 'POST', `/job_instance/${ji}/log_done`);
    expect(await jobRow(server, failed.job_id)).toMatchObject({ status: 'D', num_attempts: 1 });
    await ok(server, 'PUT', '/workflow_run', { wfr_id: newRunId, status: 'D', status_date: '2030-01-02 00:00:00' });
    await ok(server, 'PUT', '/workflow', { wf_id: workflow.id, status: 'D', status_date: '2030-01-02 00:00:00' });
    const runs = await rows(server, 'SELECT id, status, status_date FROM workflow_run WHERE workflow_id = ? ORDER BY id', [workflow.id]);
    expect(runs.map((r) => r.status)).toEqual(['S', 'D']);
    expect(runs[0]!.status_date).toMatch(/^2030-01-01 00:00:0[01]$/);
    expect((await row(server, 'SELECT status FROM workflow WHERE id = ?', [workflow.id])).status).toBe('D');
  });

  it('case 19: PUT sets status and status_date, so status_date differs from created_date; only sent known columns change', async () => {
    const dag = await newDag(server);
    const workflow = await newWorkflow(server, dag);
    const run = await newRun(server, workflow.id);
    const body = await ok(server, 'PUT', '/workflow', { wf_id: workflow.id, status: 'D', status_date: '2031-05-06 07:08:09.5', bogus: 1, id: 77 });
    expect(body).toEqual({ workflow_dct: { ...workflow, status: 'D' } });
    expect(await ok(server, 'PUT', '/workflow_run', { wfr_id: run, status: 'D', status_date: '2031-05-06 07:08:09', bogus: 1 })).toEqual({
      workflow_run_id: run,
    });
    for (const [table, id] of [['workflow', workflow.id], ['workflow_run', run]] as const) {
      const dates = await row(server, `SELECT created_date, status_date FROM ${table} WHERE id = ?`, [id]);
      expect(dates.status_date).toMatch(/^2031-05-06 07:08:(09|10)$/);
      expect(dates.status_date).not.toBe(dates.created_date);
    }
    await server.admin.query('UPDATE workflow SET status_date = ? WHERE id = ?', [OLD, workflow.id]);
    await ok(server, 'PUT', '/workflow', { wf_id: workflow.id, description: 'changed' });
    expect(await row(server, 'SELECT status, status_date, description, name FROM workflow WHERE id = ?', [workflow.id])).toEqual({
      status: 'D', status_date: OLD, description: 'changed', name: 'wf',
    });
    expect((await ok(server, 'PUT', '/workflow', { wf_id: workflow.id })).workflow_dct.description).toBe('changed');
  });

  it('cases 24 and 25: workflow and job attributes are stored and read back through the JQS', async () => {
    const dag = await newDag(server);
    const workflow = await newWorkflow(server, dag);
    const job = await newJob(server, dag);
    const tag = await ok(server, 'POST', '/workflow_attribute', { workflow_id: workflow.id, attribute_type: 8, value: 'tester' });
    expect(tag).toEqual({ workflow_attribute_id: expect.any(Number) });
    await ok(server, 'POST', '/workflow_attribute', { workflow_id: String(workflow.id), attribute_type: '4', value: 100 });
    await ok(server, 'POST', '/workflow_attribute', { workflow_id: workflow.id, attribute_type: 8, value: 'dog' });
    expect(await ok(server, 'POST', '/job_attribute', { job_id: job.job_id, attribute_type: 8, value: 'tester' })).toEqual({
      job_attribute_id: expect.any(Number),
    });
    const wfAttrs = await ok(server, 'GET', `/workflow/${workflow.id}/workflow_attribute?workflow_attribute_type=8`);
    expect(wfAttrs.workflow_attr_dct[0]).toEqual({ workflow_attribute_id: tag.workflow_attribute_id, workflow_id: workflow.id, attribute_type: 8, value: 'tester' });
    const jobAttrs = await ok(server, 'GET', `/workflow/${workflow.id}/job_attribute?job_attribute_type=8`);
    expect(jobAttrs.job_attr_dct[0]).toMatchObject({ job_id: job.job_id, attribute_type: 8, value: 'tester' });
    const stored = await rows(server, 'SELECT attribute_type, value FROM workflow_attribute WHERE workflow_id = ? ORDER BY id', [workflow.id]);
    expect(stored).toEqual([{ attribute_type: 8, value: 'tester' }, { attribute_type: 4, value: '100' }, { attribute_type: 8, value: 'dog' }]);
  });

  it('cases 26 and 27: run attributes, including the slot limits at start (13) and end (14), sent as the client does', async () => {
    const dag = await newDag(server);
    const run = await newRun(server, (await newWorkflow(server, dag)).id);
    for (const [type, value] of [['13', '200'], ['2', '1000'], ['14', '200']]) {
      const body = await ok(server, 'POST', '/workflow_run_attribute', { workflow_run_id: String(run), attribute_type: type, value });
      expect(body).toEqual({ workflow_run_attribute_id: expect.any(Number) });
    }
    const stored = await rows(server, 'SELECT attribute_type, value FROM workflow_run_attribute WHERE workflow_run_id = ? ORDER BY id', [run]);
    expect(stored).toEqual([{ attribute_type: 13, value: '200' }, { attribute_type: 2, value: '1000' }, { attribute_type: 14, value: '200' }]);
  });

  it('case 28: job attributes (2, "10"), (1, "50"), (6, "30")', async () => {
    const dag = await newDag(server);
    const job = await newJob(server, dag);
    for (const [type, value] of [[2, 10], [1, 50], [6, 30]]) {
      await ok(server, 'POST', '/job_attribute', { job_id: String(job.job_id), attribute_type: String(type), value: String(value) });
    }
    const stored = await rows(server, 'SELECT attribute_type, value FROM job_attribute WHERE job_id = ? ORDER BY id', [job.job_id]);
    expect(stored).toEqual([{ attribute_type: 2, value: '10' }, { attribute_type: 1, value: '50' }, { attribute_type: 6, value: '30' }]);
  });
});
