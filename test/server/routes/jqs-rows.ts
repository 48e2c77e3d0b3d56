import type { Pool, ResultSetHeader } from 'mysql2/promise';

/** Rows for the JQS tests, written straight into the test database as root. */

export const OLD = '2020-01-01 00:00:00';

/** Raw SQL for a column value, e.g. `sqlValue('UTC_TIMESTAMP() - INTERVAL 70 SECOND')`. */
export const sqlValue = (text: string) => ({ toSqlString: () => text });

export async function insertRow(pool: Pool, table: string, row: Record<string, unknown>): Promise<number> {
  const [result] = await pool.query<ResultSetHeader>(`INSERT INTO ${table} SET ?`, [row]);
  return result.insertId;
}

export const insertDag = (pool: Pool, row: Record<string, unknown> = {}) =>
  insertRow(pool, 'task_dag', { dag_hash: 'dag-hash', name: 'dag', user: 'alice', created_date: OLD, heartbeat_date: OLD, ...row });

export const insertJob = (pool: Pool, dagId: number, row: Record<string, unknown> = {}) =>
  insertRow(pool, 'job', {
    dag_id: dagId,
    job_hash: '12345',
    name: 'job',
    command: 'true',
    context_args: '{}',
    mem_free: '2',
    j_resource: 0,
    num_attempts: 0,
    max_attempts: 1,
    status: 'G',
    submitted_date: OLD,
    status_date: OLD,
    ...row,
  });

export const insertJobInstance = (pool: Pool, jobId: number, dagId: number, row: Record<string, unknown> = {}) =>
  insertRow(pool, 'job_instance', {
    job_id: jobId,
    dag_id: dagId,
    executor_type: 'dummy_exec',
    status: 'I',
    submitted_date: OLD,
    status_date: OLD,
    ...row,
  });

export const insertWorkflow = (pool: Pool, dagId: number, row: Record<string, unknown> = {}) =>
  insertRow(pool, 'workflow', {
    dag_id: dagId,
    workflow_args: 'args',
    workflow_hash: 'wf-hash',
    description: '',
    name: 'wf',
    user: 'alice',
    created_date: OLD,
    status_date: OLD,
    status: 'C',
    ...row,
  });

export const insertWorkflowRun = (pool: Pool, workflowId: number, row: Record<string, unknown> = {}) =>
  insertRow(pool, 'workflow_run', {
    workflow_id: workflowId,
    user: 'alice',
    hostname: 'node-1',
    pid: 4242,
    stderr: '/tmp/err',
    stdout: '/tmp/out',
    project: 'proj',
    working_dir: '/tmp',
    slack_channel: 'jobmon-alerts',
    executor_class: 'SequentialExecutor',
    created_date: OLD,
    status_date: OLD,
    status: 'R',
    ...row,
  });
