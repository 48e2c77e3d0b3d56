import { type Db, assignments, selectRows, write } from './db.js';

export interface LockedInstance {
  job_instance_id: number;
  job_id: number;
  status: string;
}

/** Columns a route may set on an instance besides its status. */
export const INSTANCE_COLUMNS = ['executor_id', 'nodename', 'process_group_id', 'usage_str', 'wallclock', 'maxrss', 'cpu', 'io'] as const;
export type InstanceColumns = Partial<Record<(typeof INSTANCE_COLUMNS)[number], string | number | null>>;

/** The instance's job id, read without a lock: the caller locks the job first, then the instance. */
export async function findJobIdOfInstance(db: Db, instanceId: number): Promise<number | undefined> {
  const rows = await selectRows(db, 'SELECT job_id FROM job_instance WHERE job_instance_id = ?', [instanceId]);
  return rows[0]?.job_id as number | undefined;
}

/** Locks the instance row (after its job's row). */
export async function lockInstance(db: Db, instanceId: number): Promise<LockedInstance | undefined> {
  const rows = await selectRows(db, 'SELECT job_instance_id, job_id, status FROM job_instance WHERE job_instance_id = ? FOR UPDATE', [
    instanceId,
  ]);
  return rows[0] as LockedInstance | undefined;
}

/**
 * The run a new instance belongs to: the first workflow of the job's DAG, then
 * its newest run. No workflow, or a workflow without runs, gives null.
 */
export async function findCurrentRunOfDag(db: Db, dagId: number): Promise<number | null> {
  const rows = await selectRows(
    db,
    `SELECT (SELECT MAX(r.id) FROM workflow_run r WHERE r.workflow_id = w.id) AS run_id
     FROM workflow w WHERE w.dag_id = ? ORDER BY w.id LIMIT 1`,
    [dagId],
  );
  return (rows[0]?.run_id as number | null | undefined) ?? null;
}

export interface NewInstance {
  job_id: number;
  dag_id: number;
  workflow_run_id: number | null;
  executor_type: string | null;
}

/** INSERT an instance in I, stamped with the database clock. */
export async function insertInstance(db: Db, instance: NewInstance): Promise<number> {
  const result = await write(
    db,
    `INSERT INTO job_instance (job_id, dag_id, workflow_run_id, executor_type, status, submitted_date, status_date)
     VALUES (?, ?, ?, ?, 'I', UTC_TIMESTAMP(), UTC_TIMESTAMP())`,
    [instance.job_id, instance.dag_id, instance.workflow_run_id, instance.executor_type],
  );
  return result.insertId;
}

/** Moves a locked instance; its status_date is the basis of timeouts. */
export async function moveInstance(db: Db, instanceId: number, status: string): Promise<void> {
  await write(db, 'UPDATE job_instance SET status = ?, status_date = UTC_TIMESTAMP() WHERE job_instance_id = ?', [status, instanceId]);
}

/** Sets the given columns only; a column that is not given keeps its value. */
export async function updateInstance(db: Db, instanceId: number, columns: InstanceColumns): Promise<void> {
  const set = assignments(columns, INSTANCE_COLUMNS);
  if (set.sql === '') return;
  await write(db, `UPDATE job_instance SET ${set.sql} WHERE job_instance_id = ?`, [...set.values, instanceId]);
}

export async function insertErrorLog(db: Db, instanceId: number, description: string | null): Promise<void> {
  await write(db, 'INSERT INTO job_instance_error_log (job_instance_id, description, error_time) VALUES (?, ?, UTC_TIMESTAMP())', [
    instanceId,
    description,
  ]);
}

const RESET_DESCRIPTION = 'Job RESET requested';

/**
 * Every instance of the given (locked) jobs to E, with one "Job RESET
 * requested" error-log row each, stamped (the original's bulk reset left
 * error_time NULL). Instance status_date is left alone, as the original did.
 */
export async function failInstancesOfJobs(db: Db, jobIds: readonly number[]): Promise<void> {
  if (jobIds.length === 0) return;
  await write(db, "UPDATE job_instance SET status = 'E' WHERE job_id IN (?)", [jobIds]);
  await write(
    db,
    `INSERT INTO job_instance_error_log (job_instance_id, description, error_time)
     SELECT job_instance_id, ?, UTC_TIMESTAMP() FROM job_instance WHERE job_id IN (?) ORDER BY job_instance_id`,
    [RESET_DESCRIPTION, jobIds],
  );
}
