import type { RowDataPacket } from 'mysql2/promise';
import { ONE_JOB_WIRE_SELECT } from '../domain/wire.js';
import { type Db, selectRows, write } from './db.js';

/** The job columns a transition is decided on. */
export interface LockedJob {
  job_id: number;
  dag_id: number;
  status: string;
  num_attempts: number;
  max_attempts: number | null;
}

export interface NewJob {
  dag_id: number;
  name: string | null;
  job_hash: string;
  command: string | null;
  slots: number | null;
  num_cores: number | null;
  mem_free: string | null;
  max_attempts: number | null;
  max_runtime_seconds: number | null;
  context_args: string | null;
  tag: string | null;
  queue: string | null;
  j_resource: boolean | null;
}

/** INSERT a job in G with no attempts, stamped with the database clock. */
export async function insertJob(db: Db, job: NewJob): Promise<number> {
  const result = await write(
    db,
    `INSERT INTO job (dag_id, name, job_hash, command, slots, num_cores, mem_free, max_attempts, max_runtime_seconds,
       context_args, tag, queue, j_resource, num_attempts, status, submitted_date, status_date)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 'G', UTC_TIMESTAMP(), UTC_TIMESTAMP())`,
    [job.dag_id, job.name, job.job_hash, job.command, job.slots, job.num_cores, job.mem_free, job.max_attempts,
      job.max_runtime_seconds, job.context_args, job.tag, job.queue, job.j_resource],
  );
  return result.insertId;
}

/** The job as `Job.to_wire` needs it, or undefined. */
export async function readJobWire(db: Db, jobId: number): Promise<RowDataPacket | undefined> {
  return (await selectRows(db, `${ONE_JOB_WIRE_SELECT} WHERE j.job_id = ?`, [jobId]))[0];
}

/**
 * Locks the job row until the transaction ends. Every transition locks the job
 * first (then its instance), so concurrent calls on one job serialize.
 */
export async function lockJob(db: Db, jobId: number): Promise<LockedJob | undefined> {
  const rows = await selectRows(
    db,
    'SELECT job_id, dag_id, status, num_attempts, max_attempts FROM job WHERE job_id = ? FOR UPDATE',
    [jobId],
  );
  return rows[0] as LockedJob | undefined;
}

/**
 * Locks the job row like `lockJob`, and reads in the same round trip the run
 * a new instance of it belongs to: the first workflow of the job's DAG, then
 * its newest run (null when there is no workflow or no run). A subquery of a
 * locking SELECT is a plain read: no workflow or workflow_run row is locked.
 */
export async function lockJobWithCurrentRun(db: Db, jobId: number): Promise<(LockedJob & { run_id: number | null }) | undefined> {
  const rows = await selectRows(
    db,
    `SELECT j.job_id, j.dag_id, j.status, j.num_attempts, j.max_attempts,
       (SELECT (SELECT MAX(r.id) FROM workflow_run r WHERE r.workflow_id = w.id) FROM workflow w WHERE w.dag_id = j.dag_id ORDER BY w.id LIMIT 1) AS run_id
     FROM job j WHERE j.job_id = ? FOR UPDATE`,
    [jobId],
  );
  const row = rows[0];
  return row ? ({ ...row, run_id: (row.run_id as number | null) ?? null } as LockedJob & { run_id: number | null }) : undefined;
}

/** Moves a locked job; `countAttempt` is the Q->I move, the only one that adds an attempt. */
export async function moveJob(db: Db, jobId: number, status: string, countAttempt = false): Promise<void> {
  const attempts = countAttempt ? ', num_attempts = num_attempts + 1' : '';
  await write(db, `UPDATE job SET status = ?, status_date = UTC_TIMESTAMP()${attempts} WHERE job_id = ?`, [status, jobId]);
}

/** `/job/<id>/reset`: back to G with no attempts, stamped so a delta sync sees it. */
export async function resetJob(db: Db, jobId: number): Promise<void> {
  await write(db, "UPDATE job SET status = 'G', num_attempts = 0, status_date = UTC_TIMESTAMP() WHERE job_id = ?", [jobId]);
}

/** The ids of a DAG's jobs (a plain read: the caller locks them by primary key). */
export async function listJobIdsOfDag(db: Db, dagId: number): Promise<number[]> {
  const rows = await selectRows(db, 'SELECT job_id FROM job WHERE dag_id = ? ORDER BY job_id', [dagId]);
  return rows.map((row) => row.job_id as number);
}

/**
 * Locks the given jobs by primary key (record locks only, no gap locks on the
 * dag index, so concurrent transitions in the same DAG cannot deadlock with
 * us) and resets those not D. Returns the ids that were reset.
 */
export async function resetUnfinishedJobs(db: Db, jobIds: readonly number[]): Promise<number[]> {
  if (jobIds.length === 0) return [];
  const rows = await selectRows(db, 'SELECT job_id, status FROM job WHERE job_id IN (?) ORDER BY job_id FOR UPDATE', [jobIds]);
  const unfinished = rows.filter((row) => row.status !== 'D').map((row) => row.job_id as number);
  if (unfinished.length > 0) {
    await write(db, "UPDATE job SET status = 'G', num_attempts = 0, status_date = UTC_TIMESTAMP() WHERE job_id IN (?)", [unfinished]);
  }
  return unfinished;
}
