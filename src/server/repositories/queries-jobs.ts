import type { Pool, RowDataPacket } from 'mysql2/promise';
import { JOB_WIRE_SELECT, jobWire } from '../domain/wire.js';

/**
 * Read-side SQL about jobs and job instances (JobQueryServer). Every function
 * takes the SELECT-only pool; none of them can write.
 */

/** Which jobs of a DAG a sync asks for: changed since `lastSync`, optionally in one status. */
export interface JobSyncFilter {
  dagId: number;
  lastSync: string;
  status?: string | undefined;
}

/** The DB's UTC clock as "YYYY-MM-DD HH:MM:SS": the `time` a client passes back as `last_sync`. */
export async function readDbUtcNow(pool: Pool): Promise<string> {
  const [rows] = await pool.query<RowDataPacket[]>("SELECT DATE_FORMAT(UTC_TIMESTAMP(), '%Y-%m-%d %H:%i:%s') AS now");
  return rows[0]!.now as string;
}

/** The conditions on `job j` of a sync (without WHERE), and their values. */
function syncConditions(filter: JobSyncFilter): { sql: string; values: unknown[] } {
  const values: unknown[] = [filter.dagId, filter.lastSync];
  let sql = 'j.dag_id = ? AND j.status_date >= ?';
  if (filter.status !== undefined) {
    sql += ' AND j.status = ?';
    values.push(filter.status);
  }
  return { sql, values };
}

/** Full `Job.to_wire` rows of a DAG in one query (the newest instance joined in, no query per job). */
export async function listJobsForSync(pool: Pool, filter: JobSyncFilter) {
  const where = syncConditions(filter);
  const [rows] = await pool.query<RowDataPacket[]>(`${JOB_WIRE_SELECT} WHERE ${where.sql} ORDER BY j.job_id`, where.values);
  return rows.map(jobWire);
}

/** A row of `/dag/<id>/job_status`: job_id, status, and job_hash as stored (normally a digit string of up to 160 bits). */
export type JobStatusRow = [job_id: number, status: string, job_hash: string];

/**
 * The light rows of `/dag/<id>/job_status` and the DB's UTC clock, in one
 * statement. The clock is UTC_TIMESTAMP(), fixed when the statement starts,
 * so it is taken before any row is read, as a separate `readDbUtcNow` first
 * would take it; the one-row `clock` table keeps it when no job matches.
 * Rows come as arrays (a sync may return thousands).
 */
export async function listJobStatusesForSync(pool: Pool, filter: JobSyncFilter): Promise<{ time: string; rows: JobStatusRow[] }> {
  const on = syncConditions(filter);
  const [rows] = await pool.query<Array<[string, number | null, string, string]> & RowDataPacket[]>(
    {
      sql: `SELECT clock.now, j.job_id, j.status, j.job_hash
            FROM (SELECT DATE_FORMAT(UTC_TIMESTAMP(), '%Y-%m-%d %H:%i:%s') AS now) clock LEFT JOIN job j ON ${on.sql}
            ORDER BY j.job_id`,
      rowsAsArray: true,
    },
    on.values,
  );
  const jobs: JobStatusRow[] = [];
  for (const [, jobId, status, hash] of rows) if (jobId !== null) jobs.push([jobId, status, String(hash)]);
  return { time: rows[0]![0], rows: jobs };
}

export interface ExecutorIdFilter {
  dagId: number;
  statuses: readonly string[];
  /** Only instances that have been in their status longer than their job's max_runtime_seconds. */
  timedOut: boolean;
}

/**
 * `[job_instance_id, executor_id]` pairs of a DAG's instances in the given
 * statuses. The timeout compares whole seconds; the original compared a
 * TIME (HHMMSS as a number) with an INT, so 100 s timed out after 61 s.
 */
export async function listExecutorIds(pool: Pool, filter: ExecutorIdFilter): Promise<Array<[number, number | null]>> {
  if (filter.statuses.length === 0) return [];
  const timeout = filter.timedOut
    ? `JOIN job j ON j.job_id = ji.job_id
       WHERE ji.dag_id = ? AND ji.status IN (?)
         AND j.max_runtime_seconds IS NOT NULL
         AND TIMESTAMPDIFF(SECOND, ji.status_date, UTC_TIMESTAMP()) > j.max_runtime_seconds`
    : 'WHERE ji.dag_id = ? AND ji.status IN (?)';
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT ji.job_instance_id, ji.executor_id FROM job_instance ji ${timeout} ORDER BY ji.job_instance_id`,
    [filter.dagId, filter.statuses],
  );
  return rows.map((row) => [row.job_instance_id as number, (row.executor_id as number | null) ?? null]);
}
