import { type Db, assignments, selectRows, write } from './db.js';
import type { LockedJob } from './jobs.js';

export interface LockedInstance {
  job_instance_id: number;
  job_id: number;
  status: string;
}

/** Columns a route may set on an instance besides its status. */
export const INSTANCE_COLUMNS = ['executor_id', 'nodename', 'process_group_id', 'usage_str', 'wallclock', 'maxrss', 'cpu', 'io'] as const;
export type InstanceColumns = Partial<Record<(typeof INSTANCE_COLUMNS)[number], string | number | null>>;

/** An instance's job and DAG: never updated after the INSERT, so a plain read is as good as a locked one. */
export async function findInstanceOwner(db: Db, instanceId: number): Promise<{ job_id: number; dag_id: number } | undefined> {
  const rows = await selectRows(db, 'SELECT job_id, dag_id FROM job_instance WHERE job_instance_id = ?', [instanceId]);
  return rows[0] as { job_id: number; dag_id: number } | undefined;
}

/**
 * Locks the job row, then the instance row, in one statement (STRAIGHT_JOIN
 * keeps that order: the job first, as every transition does). Undefined when
 * the instance is missing or not the job's.
 */
export async function lockJobAndInstance(db: Db, jobId: number, instanceId: number): Promise<{ job: LockedJob; instance: LockedInstance } | undefined> {
  const rows = await selectRows(
    db,
    `SELECT j.job_id, j.dag_id, j.status, j.num_attempts, j.max_attempts, ji.job_instance_id, ji.status AS instance_status
     FROM job j STRAIGHT_JOIN job_instance ji ON ji.job_instance_id = ? AND ji.job_id = j.job_id
     WHERE j.job_id = ? FOR UPDATE`,
    [instanceId, jobId],
  );
  const row = rows[0];
  if (!row) return undefined;
  const job: LockedJob = { job_id: row.job_id, dag_id: row.dag_id, status: row.status, num_attempts: row.num_attempts, max_attempts: row.max_attempts };
  return { job, instance: { job_instance_id: row.job_instance_id, job_id: row.job_id, status: row.instance_status } };
}

export interface ConditionalInstanceMove {
  instanceId: number;
  /** The instance's owner, as `findInstanceOwner` read it. */
  jobId: number;
  dagId: number;
  /** Move the instance to `to` only from one of these. */
  from: readonly string[];
  to: string;
  /** Other instance columns to set with the move. */
  columns?: InstanceColumns;
  /** The job must be in one of these (none: any status but `jobNotIn`) ... */
  jobFrom?: readonly string[];
  /** ... and then moves to this, in the same statement. */
  jobTo?: string;
  jobNotIn?: readonly string[];
}

/**
 * One autocommit UPDATE of the instance and (for a cascade) its job, applied
 * only if both are in the given statuses; the job row is locked first
 * (STRAIGHT_JOIN), the order every transition keeps. True when it moved;
 * false when anything did not match, and then nothing changed.
 */
export async function moveInstanceAndJobIf(db: Db, move: ConditionalInstanceMove): Promise<boolean> {
  const set = assignments(move.columns ?? {}, INSTANCE_COLUMNS, 'ji');
  const sets = ['ji.status = ?', 'ji.status_date = UTC_TIMESTAMP()', ...(set.sql ? [set.sql] : [])];
  const values: unknown[] = [move.instanceId, move.to, ...set.values];
  if (move.jobTo !== undefined) {
    sets.push('j.status = ?', 'j.status_date = UTC_TIMESTAMP()');
    values.push(move.jobTo);
  }
  let where = 'j.job_id = ? AND j.dag_id = ? AND ji.status IN (?)';
  values.push(move.jobId, move.dagId, move.from);
  if (move.jobFrom !== undefined) {
    where += ' AND j.status IN (?)';
    values.push(move.jobFrom);
  }
  if (move.jobNotIn !== undefined && move.jobNotIn.length > 0) {
    where += ' AND j.status NOT IN (?)';
    values.push(move.jobNotIn);
  }
  const result = await write(
    db,
    `UPDATE job j STRAIGHT_JOIN job_instance ji ON ji.job_instance_id = ? AND ji.job_id = j.job_id SET ${sets.join(', ')} WHERE ${where}`,
    values,
  );
  return result.affectedRows > 0;
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
