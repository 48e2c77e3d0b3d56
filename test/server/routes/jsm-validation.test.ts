import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestServer, type TestServer } from '../../helpers/server.js';
import { expectError, instantiate, jobRow, newDag, newJob, newWorkflow, ok, row, rows } from './jsm-steps.js';

const HASH_160 = '1234567890123456789012345678901234567890123';

describe('JSM routes: request bodies', () => {
  let server: TestServer;
  let dag: number;
  beforeAll(async () => {
    server = await startTestServer('jsm_input');
    dag = await newDag(server);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('POST /job applies defaults only to absent keys and returns Job.to_wire', async () => {
    const job = await newJob(server, dag);
    expect(job).toEqual({
      dag_id: dag, job_id: job.job_id, name: 'bar', tag: null, job_hash: '12345', command: 'baz', status: 'G', slots: null,
      mem_free: '2', num_cores: null, max_runtime_seconds: null, num_attempts: 0, max_attempts: 1, context_args: '{}',
      queue: null, j_resource: false, last_nodename: null, last_process_group_id: null,
    });
    const nulls = await newJob(server, dag, { mem_free: null, max_attempts: null, context_args: null, j_resource: null, slots: 4, tag: 't' });
    expect(nulls).toMatchObject({ mem_free: null, max_attempts: null, context_args: null, j_resource: null, slots: 4, tag: 't' });
    expect(await jobRow(server, nulls.job_id)).toMatchObject({ mem_free: null, max_attempts: null, context_args: null, j_resource: null });
  });

  it('POST /job keeps every digit of a bare 160-bit job_hash, as the 0.8 client sends it', async () => {
    const text = `{"name": "big", "job_hash": ${HASH_160}, "command": "c", "dag_id": ${dag}}`;
    const response = await call(server, 'POST', '/job', text);
    expect(response.status).toBe(200);
    expect(response.text).toContain(`"job_hash":"${HASH_160}"`);
    expect((await jobRow(server, response.body.job_dct.job_id)).job_hash).toBe(HASH_160);
    const status = await call(server, 'GET', `/dag/${dag}/job_status`);
    expect(status.text).toContain(`"job_hash":${HASH_160}`);
  });

  it('the client\'s digit strings are coerced: job_id, executor_id, process_group_id, attribute ids, wf_id', async () => {
    const job = await newJob(server, dag, { max_attempts: '2' });
    expect(job.max_attempts).toBe(2);
    await ok(server, 'POST', `/job/${job.job_id}/queue`);
    const ji = await instantiate(server, job.job_id);
    await ok(server, 'POST', `/job_instance/${ji}/log_executor_id`, { executor_id: '31337' });
    await ok(server, 'POST', `/job_instance/${ji}/log_running`, { nodename: 'n', process_group_id: '4321' });
    expect(await row(server, 'SELECT executor_id, process_group_id FROM job_instance WHERE job_instance_id = ?', [ji])).toEqual({
      executor_id: 31337,
      process_group_id: 4321,
    });
    const workflow = await newWorkflow(server, dag);
    expect((await ok(server, 'PUT', '/workflow', { wf_id: String(workflow.id), status: 'R' })).workflow_dct.status).toBe('R');
  });

  it('bad JSON is a 400 JSON error', async () => {
    const response = await call(server, 'POST', '/job', '{"name": "x",');
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: { code: 'bad_request', message: 'the request body is not valid JSON' } });
  });

  it.each([
    ['POST', '/job', { name: 'x', command: 'c', dag_id: 1 }, 'missing field job_hash'],
    ['POST', '/job', { name: 'x', job_hash: 1, command: 'c' }, 'missing field dag_id'],
    ['POST', '/job', { name: 'x', job_hash: 1, command: 'c', dag_id: 'one' }, 'field dag_id must be integer'],
    ['POST', '/job', { name: 'x', job_hash: 1, command: 'c', dag_id: 1, max_attempts: 'three' }, 'field max_attempts'],
    ['POST', '/job', { name: 'x', job_hash: null, command: 'c', dag_id: 1 }, 'field job_hash'],
    ['POST', '/task_dag', { name: 'x', user: 'u' }, 'missing field dag_hash'],
    ['POST', '/job_instance', { executor_type: 'x' }, 'missing field job_id'],
    ['POST', '/job_instance', { job_id: null, executor_type: 'x' }, 'field job_id'],
    ['POST', '/workflow', { dag_id: 1, workflow_args: 'a', workflow_hash: 'h', name: 'n' }, 'missing field user'],
    ['PUT', '/workflow', { status: 'D' }, 'missing field wf_id'],
    ['PUT', '/workflow', { wf_id: 1, status_date: 'yesterday' }, 'field status_date'],
    ['POST', '/workflow_run', { workflow_id: 1, user: 'u' }, 'missing field'],
    ['PUT', '/workflow_run', { workflow_run_id: 1, status: 'S' }, 'missing field wfr_id'],
    ['POST', '/job_attribute', { job_id: 1, value: 'v' }, 'missing field attribute_type'],
    ['POST', '/job_instance/1/log_error', {}, 'missing field error_message'],
    ['POST', '/job_instance/1/log_executor_id', { executor_id: 'abc' }, 'field executor_id must be integer'],
    ['POST', '/job_instance/1/log_running', { nodename: 'x'.repeat(51), process_group_id: 1 }, 'field nodename'],
    ['POST', '/job_instance/1/log_running', { nodename: 'n' }, 'missing field process_group_id'],
    ['POST', '/job/abc/queue', undefined, 'path parameter job_id must be integer'],
    ['POST', '/job_instance/abc/log_done', {}, 'path parameter job_instance_id must be integer'],
  ])('%s %s %j -> 400 naming the field', async (method, path, body, message) => {
    expect(await expectError(server, method, path, body, 400, 'bad_request')).toContain(message);
  });

  it('unknown references: an owner is 404 naming it, an attribute type or status is 400 naming the field', async () => {
    const job = await newJob(server, dag);
    const workflow = await newWorkflow(server, dag);
    expect(await expectError(server, 'POST', '/job', { name: 'x', job_hash: 1, command: 'c', dag_id: 999999 }, 404, 'not_found')).toBe(
      'task_dag 999999 not found',
    );
    const wf = { dag_id: 999999, workflow_args: 'a', workflow_hash: 'h', name: 'n', user: 'u' };
    expect(await expectError(server, 'POST', '/workflow', wf, 404, 'not_found')).toBe('task_dag 999999 not found');
    const runBody = {
      workflow_id: 999999, user: 'u', hostname: 'h', pid: 1, stderr: 'e', stdout: 'o', working_dir: 'w', project: 'p',
      slack_channel: 's', executor_class: 'x',
    };
    expect(await expectError(server, 'POST', '/workflow_run', runBody, 404, 'not_found')).toBe('workflow 999999 not found');
    expect(await expectError(server, 'PUT', '/workflow', { wf_id: 999999, status: 'D' }, 404, 'not_found')).toBe('workflow 999999 not found');
    expect(await expectError(server, 'PUT', '/workflow_run', { wfr_id: 999999 }, 404, 'not_found')).toBe('workflow_run 999999 not found');
    expect(await expectError(server, 'PUT', '/workflow', { wf_id: workflow.id, dag_id: 999999 }, 404, 'not_found')).toBe('task_dag 999999 not found');
    expect(await expectError(server, 'POST', '/job_attribute', { job_id: 999999, attribute_type: 2, value: '1' }, 404, 'not_found')).toBe(
      'job 999999 not found',
    );
    expect(await expectError(server, 'POST', '/workflow_run_attribute', { workflow_run_id: 999999, attribute_type: 2, value: '1' }, 404, 'not_found')).toBe(
      'workflow_run 999999 not found',
    );
    expect(await expectError(server, 'POST', '/job_attribute', { job_id: job.job_id, attribute_type: 99, value: '1' }, 400, 'bad_request')).toContain(
      'field attribute_type',
    );
    const status = await expectError(server, 'PUT', '/workflow', { wf_id: workflow.id, status: 'X' }, 400, 'bad_request');
    expect(status).toBe('field status: "X" is not in workflow_status');
    await expectError(server, 'PUT', '/workflow_run', { wfr_id: 1, status: 'C' }, 400, 'bad_request');
    expect(await rows(server, 'SELECT * FROM job_attribute WHERE job_id = ?', [job.job_id])).toEqual([]);
    expect((await row(server, 'SELECT status FROM workflow WHERE id = ?', [workflow.id])).status).toBe('C');
  });
});
