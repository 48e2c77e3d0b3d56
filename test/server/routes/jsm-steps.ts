import type { RowDataPacket } from 'mysql2/promise';
import { expect } from 'vitest';
import { call, type TestServer } from '../../helpers/server.js';

/** Steps of the Jobmon client's conversation with the JSM, each asserting its 200. */

export type Server = Pick<TestServer, 'url' | 'admin'>;

/** A call that must answer 200; returns the body. */
export async function ok(server: Server, method: string, path: string, body?: unknown): Promise<any> {
  const response = await call(server, method, path, body);
  expect(response.status, `${method} ${path}: ${response.text}`).toBe(200);
  return response.body;
}

/** Rows read as the admin account (a separate pool: what the app committed, nothing else). */
export async function rows(server: Server, sql: string, values: unknown[] = []): Promise<RowDataPacket[]> {
  const [result] = await server.admin.query<RowDataPacket[]>(sql, values);
  return result;
}

export async function row(server: Server, sql: string, values: unknown[] = []): Promise<RowDataPacket> {
  const [first] = await rows(server, sql, values);
  expect(first, sql).toBeDefined();
  return first!;
}

export const newDag = async (server: Server) => (await ok(server, 'POST', '/task_dag', { name: 'dag', user: 'alice', dag_hash: 'h' })).dag_id as number;

/** POST /job as spec §7 does ("bar", 12345, "baz"), plus `extra`; returns job_dct. */
export const newJob = async (server: Server, dagId: number, extra: Record<string, unknown> = {}) =>
  (await ok(server, 'POST', '/job', { name: 'bar', job_hash: 12345, command: 'baz', dag_id: dagId, ...extra })).job_dct;

export const newWorkflow = async (server: Server, dagId: number, extra: Record<string, unknown> = {}) =>
  (
    await ok(server, 'POST', '/workflow', {
      dag_id: dagId, workflow_args: 'args', workflow_hash: 'wfh', name: 'wf', user: 'alice', ...extra,
    })
  ).workflow_dct;

export const newRun = async (server: Server, workflowId: number) =>
  (
    await ok(server, 'POST', '/workflow_run', {
      workflow_id: workflowId, user: 'alice', hostname: 'node-1', pid: 4242, stderr: '/tmp/err', stdout: '/tmp/out',
      working_dir: '/tmp', project: 'proj', slack_channel: 'jobmon-alerts', executor_class: 'SequentialExecutor',
    })
  ).workflow_run_id as number;

/** POST /job_instance as the client sends it (job_id as a string). */
export const instantiate = async (server: Server, jobId: number) =>
  (await ok(server, 'POST', '/job_instance', { job_id: String(jobId), executor_type: 'dummy_exec' })).job_instance_id as number;

/** Queue, instantiate, executor id, running: a JI in R. */
export async function runningInstance(server: Server, jobId: number, { queue = true } = {}): Promise<number> {
  if (queue) await ok(server, 'POST', `/job/${jobId}/queue`);
  const ji = await instantiate(server, jobId);
  await ok(server, 'POST', `/job_instance/${ji}/log_executor_id`, { executor_id: '12345' });
  await ok(server, 'POST', `/job_instance/${ji}/log_running`, { nodename: 'node-1.example.org', process_group_id: '777' });
  return ji;
}

export const jobRow = (server: Server, jobId: number) => row(server, 'SELECT * FROM job WHERE job_id = ?', [jobId]);
export const instanceRow = (server: Server, id: number) => row(server, 'SELECT * FROM job_instance WHERE job_instance_id = ?', [id]);

/** Expects a JSON error with this status and code; returns its message. */
export async function expectError(server: Server, method: string, path: string, body: unknown, status: number, code: string) {
  const response = await call(server, method, path, body);
  expect(response.status, `${method} ${path}: ${response.text}`).toBe(status);
  expect(response.body.error.code).toBe(code);
  return response.body.error.message as string;
}
