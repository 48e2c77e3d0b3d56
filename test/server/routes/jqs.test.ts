import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestServer, type TestServer } from '../../helpers/server.js';
import { insertDag, insertJob, insertJobInstance, insertRow, insertWorkflow, insertWorkflowRun, sqlValue } from './jqs-rows.js';

describe('JQS routes: DAGs, workflows, runs, instances, attributes', () => {
  let server: TestServer;
  let dag: number;
  let workflow: number;
  let job: number;
  beforeAll(async () => {
    server = await startTestServer('jqs');
    dag = await insertDag(server.admin, { dag_hash: 'abc123' });
    workflow = await insertWorkflow(server.admin, dag, { workflow_args: 'same', description: 'first' });
    await insertWorkflow(server.admin, await insertDag(server.admin), { workflow_args: 'elsewhere' });
    job = await insertJob(server.admin, dag, { status: 'D' });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('GET /dag lists all DAG ids, or those with the hash', async () => {
    expect((await call(server, 'GET', '/dag?dag_hash=abc123')).body).toEqual({ dag_ids: [dag] });
    expect((await call(server, 'GET', '/dag')).body.dag_ids).toContain(dag);
  });

  it('GET /dag/<id>/workflow: 200 with workflow_dct, 204 with an empty body, 400 naming workflow_args (case 21)', async () => {
    const found = await call(server, 'GET', `/dag/${dag}/workflow?workflow_args=same`);
    expect(found).toMatchObject({ status: 200 });
    const workflowDct = { id: workflow, dag_id: dag, workflow_args: 'same', workflow_hash: 'wf-hash' };
    expect(found.body).toEqual({ workflow_dct: { ...workflowDct, description: 'first', name: 'wf', user: 'alice', status: 'C' } });
    for (const args of ['other', 'SAME', 'same%20', 'elsewhere']) {
      const missing = await call(server, 'GET', `/dag/${dag}/workflow?workflow_args=${args}`);
      expect(missing).toMatchObject({ status: 204, text: '' });
    }
    const bad = await call(server, 'GET', `/dag/${dag}/workflow`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('workflow_args');
  });

  it('GET /workflow/<id>/workflow_run: the newest running run, else is_running false and {}', async () => {
    const lone = await insertWorkflow(server.admin, dag, { workflow_args: 'lone' });
    expect((await call(server, 'GET', `/workflow/${lone}/workflow_run`)).body).toEqual({ is_running: false, workflow_run_dct: {} });
    await insertWorkflowRun(server.admin, workflow, { status: 'R' });
    const newest = await insertWorkflowRun(server.admin, workflow, { status: 'R', pid: 7 });
    await insertWorkflowRun(server.admin, workflow, { status: 'S' });
    const response = await call(server, 'GET', `/workflow/${workflow}/workflow_run`);
    expect(response.body).toEqual({
      is_running: true,
      workflow_run_dct: {
        ...{ id: newest, workflow_id: workflow, user: 'alice', hostname: 'node-1', pid: 7, stderr: '/tmp/err', stdout: '/tmp/out' },
        ...{ project: 'proj', working_dir: '/tmp', slack_channel: 'jobmon-alerts', executor_class: 'SequentialExecutor', status: 'R' },
      },
    });
  });

  it('GET /workflow_run/<id>/job_instance: JobInstance.to_wire with total seconds since the status change', async () => {
    const run = await insertWorkflowRun(server.admin, workflow);
    const statusDate = sqlValue('UTC_TIMESTAMP() - INTERVAL 2 DAY - INTERVAL 5 SECOND');
    const row = { workflow_run_id: run, executor_id: 99, status: 'D', nodename: 'n1', process_group_id: 5, status_date: statusDate };
    const ji = await insertJobInstance(server.admin, job, dag, row);
    const response = await call(server, 'GET', `/workflow_run/${run}/job_instance`);
    expect(response.body).toEqual({
      job_instances: [
        {
          ...{ job_instance_id: ji, workflow_run_id: run, executor_id: 99, job_id: job, dag_id: dag, status: 'D', nodename: 'n1', process_group_id: 5 },
          status_date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/),
          time_since_status_update: expect.any(Number),
        },
      ],
    });
    // The original sent timedelta.seconds (5 here); ours is the whole age.
    expect(response.body.job_instances[0].time_since_status_update).toBeGreaterThanOrEqual(2 * 86_400 + 5);
  });

  it('attributes of a workflow and of its jobs, filtered by type (case 24)', async () => {
    const tag = await insertRow(server.admin, 'workflow_attribute', { workflow_id: workflow, attribute_type: 8, value: 'tester' });
    await insertRow(server.admin, 'workflow_attribute', { workflow_id: workflow, attribute_type: 4, value: '100' });
    const jobTag = await insertRow(server.admin, 'job_attribute', { job_id: job, attribute_type: 8, value: 'tester' });
    const wallclock = await insertRow(server.admin, 'job_attribute', { job_id: job, attribute_type: 13, value: '0' });

    const wfAttrs = await call(server, 'GET', `/workflow/${workflow}/workflow_attribute?workflow_attribute_type=8`);
    const tagRow = { workflow_attribute_id: tag, workflow_id: workflow, attribute_type: 8, value: 'tester' };
    expect(wfAttrs.body).toEqual({ workflow_attr_dct: [tagRow] });
    expect((await call(server, 'GET', `/workflow/${workflow}/workflow_attribute`)).body.workflow_attr_dct).toHaveLength(2);
    const byWorkflow = await call(server, 'GET', `/workflow/${workflow}/job_attribute?job_attribute_type=8`);
    expect(byWorkflow.body).toEqual({ job_attr_dct: [{ job_attribute_id: jobTag, job_id: job, attribute_type: 8, value: 'tester' }] });
    const byJob = await call(server, 'GET', `/job/${job}/job_attribute`);
    expect(byJob.body.job_attr_dct.map((a: { job_attribute_id: number }) => a.job_attribute_id)).toEqual([jobTag, wallclock]);
    const bad = await call(server, 'GET', `/job/${job}/job_attribute?job_attribute_type=tag`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('job_attribute_type');
  });

  it('list routes answer unknown ids with empty lists (decisions.md 13)', async () => {
    const empty: Array<[string, unknown]> = [
      ['/dag?dag_hash=nope', { dag_ids: [] }],
      ['/workflow/999999/workflow_attribute', { workflow_attr_dct: [] }],
      ['/workflow/999999/job_attribute', { job_attr_dct: [] }],
      ['/job/999999/job_attribute', { job_attr_dct: [] }],
      ['/dag/999999/job_instance_executor_ids?status=B&status=R', { jiid_exid_tuples: [] }],
      ['/workflow_run/999999/job_instance', { job_instances: [] }],
      ['/workflow/999999/workflow_run', { is_running: false, workflow_run_dct: {} }],
    ];
    for (const [path, body] of empty) expect(await call(server, 'GET', path)).toMatchObject({ status: 200, body });
    for (const path of ['/dag/999999/job', '/dag/999999/job_status']) {
      expect((await call(server, 'GET', path)).body).toEqual({ job_dcts: [], time: expect.any(String) });
    }
  });

  it('rejects ill-typed path and query parameters with a 400 naming them', async () => {
    for (const [path, name] of [
      ['/dag/abc/job', 'dag_id'],
      ['/dag/1.5/job_status', 'dag_id'],
      ['/workflow/x/workflow_run', 'workflow_id'],
      ['/workflow_run/x/job_instance', 'workflow_run_id'],
      ['/job/x/job_attribute', 'job_id'],
      ['/dag/1/job?last_sync=yesterday', 'last_sync'],
    ]) {
      const response = await call(server, 'GET', path!);
      expect(response.status, path).toBe(400);
      expect(response.body.error.message, path).toContain(name);
    }
  });
});
