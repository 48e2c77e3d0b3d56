import type { Pool, RowDataPacket } from 'mysql2/promise';
import {
  JOB_INSTANCE_WIRE_SELECT,
  WORKFLOW_RUN_WIRE_SELECT,
  WORKFLOW_WIRE_SELECT,
  jobInstanceWire,
  workflowRunWire,
  workflowWire,
} from '../domain/wire.js';

/**
 * Read-side SQL about DAGs, workflows, runs and attributes (JobQueryServer).
 * Every function takes the SELECT-only pool. Unknown ids give empty results.
 */

/** Ids of all DAGs, or of those with exactly this hash. */
export async function listDagIds(pool: Pool, dagHash?: string): Promise<number[]> {
  const [rows] =
    dagHash === undefined
      ? await pool.query<RowDataPacket[]>('SELECT dag_id FROM task_dag ORDER BY dag_id')
      : await pool.query<RowDataPacket[]>('SELECT dag_id FROM task_dag WHERE dag_hash = ? ORDER BY dag_id', [dagHash]);
  return rows.map((row) => row.dag_id as number);
}

/**
 * The first workflow of a DAG with exactly these args, or undefined. Compared
 * as bytes: the column's collation would also match other letter case and
 * trailing spaces, which would resume the wrong workflow.
 */
export async function findWorkflowByArgs(pool: Pool, dagId: number, workflowArgs: string) {
  const [rows] = await pool.query<RowDataPacket[]>(
    `${WORKFLOW_WIRE_SELECT} WHERE dag_id = ? AND CAST(workflow_args AS BINARY) = CAST(? AS BINARY) ORDER BY id LIMIT 1`,
    [dagId, workflowArgs],
  );
  return rows[0] ? workflowWire(rows[0]) : undefined;
}

/** The newest run of a workflow that is in status R, or undefined. */
export async function findRunningWorkflowRun(pool: Pool, workflowId: number) {
  const [rows] = await pool.query<RowDataPacket[]>(`${WORKFLOW_RUN_WIRE_SELECT} WHERE workflow_id = ? AND status = 'R' ORDER BY id DESC LIMIT 1`, [
    workflowId,
  ]);
  return rows[0] ? workflowRunWire(rows[0]) : undefined;
}

/** `JobInstance.to_wire` of every instance of a workflow run. */
export async function listJobInstancesOfRun(pool: Pool, workflowRunId: number) {
  const [rows] = await pool.query<RowDataPacket[]>(`${JOB_INSTANCE_WIRE_SELECT} WHERE ji.workflow_run_id = ? ORDER BY ji.job_instance_id`, [
    workflowRunId,
  ]);
  return rows.map(jobInstanceWire);
}

const typeFilter = (attributeType: number | undefined, column: string) =>
  attributeType === undefined ? { sql: '', values: [] } : { sql: ` AND ${column} = ?`, values: [attributeType] };

/** Attributes of one workflow, optionally of one type. */
export async function listWorkflowAttributes(pool: Pool, workflowId: number, attributeType?: number) {
  const type = typeFilter(attributeType, 'wa.attribute_type');
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT wa.id AS workflow_attribute_id, wa.workflow_id, wa.attribute_type, wa.value
     FROM workflow_attribute wa JOIN workflow w ON w.id = wa.workflow_id
     WHERE w.id = ?${type.sql} ORDER BY wa.id`,
    [workflowId, ...type.values],
  );
  return rows.map((row) => ({
    workflow_attribute_id: row.workflow_attribute_id as number,
    workflow_id: row.workflow_id as number,
    attribute_type: row.attribute_type as number,
    value: row.value as string | null,
  }));
}

const jobAttributeWire = (row: RowDataPacket) => ({
  job_attribute_id: row.job_attribute_id as number,
  job_id: row.job_id as number,
  attribute_type: row.attribute_type as number,
  value: row.value as string | null,
});

/** Attributes of every job in the workflow's DAG (job_attribute ⋈ job ⋈ task_dag ⋈ workflow). */
export async function listJobAttributesOfWorkflow(pool: Pool, workflowId: number, attributeType?: number) {
  const type = typeFilter(attributeType, 'ja.attribute_type');
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT ja.id AS job_attribute_id, ja.job_id, ja.attribute_type, ja.value
     FROM job_attribute ja
     JOIN job j ON j.job_id = ja.job_id
     JOIN task_dag d ON d.dag_id = j.dag_id
     JOIN workflow w ON w.dag_id = d.dag_id
     WHERE w.id = ?${type.sql} ORDER BY ja.id`,
    [workflowId, ...type.values],
  );
  return rows.map(jobAttributeWire);
}

/** Attributes of one job, optionally of one type. */
export async function listJobAttributesOfJob(pool: Pool, jobId: number, attributeType?: number) {
  const type = typeFilter(attributeType, 'ja.attribute_type');
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT ja.id AS job_attribute_id, ja.job_id, ja.attribute_type, ja.value
     FROM job_attribute ja JOIN job j ON j.job_id = ja.job_id
     WHERE j.job_id = ?${type.sql} ORDER BY ja.id`,
    [jobId, ...type.values],
  );
  return rows.map(jobAttributeWire);
}
