import type { RowDataPacket } from 'mysql2/promise';
import { WORKFLOW_WIRE_SELECT } from '../domain/wire.js';
import { type Db, assignments, selectRows, write } from './db.js';

/** Columns PUT /workflow may set (any column but the id, as the original's setattr allowed). */
export const WORKFLOW_COLUMNS = [
  'dag_id', 'workflow_args', 'workflow_hash', 'description', 'name', 'user', 'created_date', 'status_date', 'status',
] as const;

/** Columns PUT /workflow_run may set. */
export const WORKFLOW_RUN_COLUMNS = [
  'workflow_id', 'user', 'hostname', 'pid', 'stderr', 'stdout', 'project', 'working_dir', 'slack_channel',
  'executor_class', 'created_date', 'status_date', 'status',
] as const;

export interface NewWorkflow {
  dag_id: number;
  workflow_args: string | null;
  workflow_hash: string | null;
  name: string | null;
  user: string | null;
  description: string | null;
}

export async function insertWorkflow(db: Db, wf: NewWorkflow): Promise<number> {
  const result = await write(
    db,
    `INSERT INTO workflow (dag_id, workflow_args, workflow_hash, name, \`user\`, description, status, created_date, status_date)
     VALUES (?, ?, ?, ?, ?, ?, 'C', UTC_TIMESTAMP(), UTC_TIMESTAMP())`,
    [wf.dag_id, wf.workflow_args, wf.workflow_hash, wf.name, wf.user, wf.description],
  );
  return result.insertId;
}

export async function readWorkflowWire(db: Db, workflowId: number): Promise<RowDataPacket | undefined> {
  return (await selectRows(db, `${WORKFLOW_WIRE_SELECT} WHERE id = ?`, [workflowId]))[0];
}

/** Sets the given known columns; returns false when no such workflow exists. */
export async function updateWorkflow(db: Db, workflowId: number, columns: Record<string, unknown>): Promise<boolean> {
  return updateById(db, 'workflow', workflowId, assignments(columns, WORKFLOW_COLUMNS));
}

/** Sets the given known columns; returns false when no such run exists. */
export async function updateWorkflowRun(db: Db, runId: number, columns: Record<string, unknown>): Promise<boolean> {
  return updateById(db, 'workflow_run', runId, assignments(columns, WORKFLOW_RUN_COLUMNS));
}

async function updateById(db: Db, table: 'workflow' | 'workflow_run', id: number, set: { sql: string; values: unknown[] }) {
  if (set.sql === '') return (await selectRows(db, `SELECT id FROM ${table} WHERE id = ?`, [id])).length > 0;
  const result = await write(db, `UPDATE ${table} SET ${set.sql} WHERE id = ?`, [...set.values, id]);
  return result.affectedRows > 0;
}

/** True when `code` is a row of the status table (workflow_status or workflow_run_status). */
export async function isKnownStatus(db: Db, table: 'workflow_status' | 'workflow_run_status', code: string): Promise<boolean> {
  return (await selectRows(db, `SELECT id FROM ${table} WHERE id = ?`, [code])).length > 0;
}

/** Locks the workflow so two new runs of it serialize; false when it does not exist. */
export async function lockWorkflow(db: Db, workflowId: number): Promise<boolean> {
  return (await selectRows(db, 'SELECT id FROM workflow WHERE id = ? FOR UPDATE', [workflowId])).length > 0;
}

export interface NewWorkflowRun {
  workflow_id: number;
  user: string | null;
  hostname: string | null;
  pid: number | null;
  stderr: string | null;
  stdout: string | null;
  working_dir: string | null;
  project: string | null;
  slack_channel: string | null;
  executor_class: string | null;
}

/**
 * Stops every earlier run of the workflow (whatever its status, status_date
 * untouched: the original's observed behaviour) and inserts the new run in R.
 */
export async function startWorkflowRun(db: Db, run: NewWorkflowRun): Promise<number> {
  await write(db, "UPDATE workflow_run SET status = 'S' WHERE workflow_id = ?", [run.workflow_id]);
  const result = await write(
    db,
    `INSERT INTO workflow_run (workflow_id, \`user\`, hostname, pid, stderr, stdout, working_dir, project, slack_channel,
       executor_class, status, created_date, status_date)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'R', UTC_TIMESTAMP(), UTC_TIMESTAMP())`,
    [run.workflow_id, run.user, run.hostname, run.pid, run.stderr, run.stdout, run.working_dir, run.project,
      run.slack_channel, run.executor_class],
  );
  return result.insertId;
}
