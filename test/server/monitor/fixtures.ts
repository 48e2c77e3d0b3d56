import type { Pool, ResultSetHeader } from 'mysql2/promise';

/** Rows the monitor reads, arranged directly (as the JSM would have written them). */

const insert = async (db: Pool, sql: string, values: unknown[]) => ((await db.query(sql, values))[0] as ResultSetHeader).insertId;

export interface RunFixture {
  dagId: number;
  workflowId: number;
  runId: number;
  jobId: number;
}

export interface RunOptions {
  dagName?: string;
  /** Seconds since the DAG's last heartbeat; null: never. */
  heartbeatAgoS?: number | null;
  runStatus?: 'R' | 'S' | 'E' | 'D';
  slackChannel?: string | null;
  workflowArgs?: string;
  hostname?: string;
  pid?: number;
  /** Statuses of the DAG's jobs. */
  jobs?: string[];
}

/** A DAG, its workflow and one run, created a day ago, with jobs. */
export async function insertRun(db: Pool, options: RunOptions = {}): Promise<RunFixture> {
  const { heartbeatAgoS = 0, jobs = ['R'] } = options;
  const dagId = await insert(
    db,
    `INSERT INTO task_dag (dag_hash, name, user, heartbeat_date, created_date)
     VALUES ('h', ?, 'tester', IF(? IS NULL, NULL, UTC_TIMESTAMP() - INTERVAL ? SECOND), UTC_TIMESTAMP() - INTERVAL 1 DAY)`,
    [options.dagName ?? 'test-dag', heartbeatAgoS, heartbeatAgoS ?? 0],
  );
  const workflowId = await insert(
    db,
    `INSERT INTO workflow (dag_id, workflow_args, workflow_hash, name, user, created_date, status_date, status)
     VALUES (?, ?, 'wh', 'wf', 'tester', UTC_TIMESTAMP() - INTERVAL 1 DAY, UTC_TIMESTAMP() - INTERVAL 1 DAY, 'R')`,
    [dagId, options.workflowArgs ?? 'args-1'],
  );
  const runId = await insert(
    db,
    `INSERT INTO workflow_run (workflow_id, user, hostname, pid, slack_channel, created_date, status_date, status)
     VALUES (?, 'tester', ?, ?, ?, UTC_TIMESTAMP() - INTERVAL 1 DAY, UTC_TIMESTAMP() - INTERVAL 1 DAY, ?)`,
    [workflowId, options.hostname ?? 'submit-host', options.pid ?? 4321, options.slackChannel === undefined ? 'jobmon-alerts' : options.slackChannel, options.runStatus ?? 'R'],
  );
  let jobId = 0;
  for (const [i, status] of jobs.entries()) {
    jobId = await insert(
      db,
      `INSERT INTO job (dag_id, job_hash, name, status, num_attempts, max_attempts, submitted_date, status_date)
       VALUES (?, ?, ?, ?, 1, 3, UTC_TIMESTAMP() - INTERVAL 1 DAY, UTC_TIMESTAMP() - INTERVAL 1 DAY)`,
      [dagId, String(1000 + i), `job-${i}`, status],
    );
  }
  return { dagId, workflowId, runId, jobId };
}

/** `count` job instances of a run on `nodename`, `errors` of them in E (the rest D), last changed `agoS` seconds ago. */
export async function insertInstances(db: Pool, run: RunFixture, nodename: string | null, count: number, errors: number, agoS: number): Promise<void> {
  const rows = Array.from({ length: count }, (_, i) => [run.runId, run.jobId, run.dagId, nodename, i < errors ? 'E' : 'D', agoS, agoS]);
  await db.query(
    `INSERT INTO job_instance (workflow_run_id, job_id, dag_id, nodename, status, submitted_date, status_date)
     SELECT t.* FROM (${rows.map(() => 'SELECT ? AS a, ? AS b, ? AS c, ? AS d, ? AS e, UTC_TIMESTAMP() - INTERVAL ? SECOND AS f, UTC_TIMESTAMP() - INTERVAL ? SECOND AS g').join(' UNION ALL ')}) t`,
    rows.flat(),
  );
}

/** Sets a DAG's heartbeat `agoS` seconds in the past (the client stops or resumes heartbeating). */
export async function setHeartbeat(db: Pool, dagId: number, agoS: number): Promise<void> {
  await db.query('UPDATE task_dag SET heartbeat_date = UTC_TIMESTAMP() - INTERVAL ? SECOND WHERE dag_id = ?', [agoS, dagId]);
}
