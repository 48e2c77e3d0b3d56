import { type Db, write } from './db.js';

export interface NewDag {
  name: string | null;
  user: string | null;
  dag_hash: string | null;
}

/** INSERT a task_dag; its first heartbeat is its creation. */
export async function insertDag(db: Db, dag: NewDag): Promise<number> {
  const result = await write(
    db,
    'INSERT INTO task_dag (name, `user`, dag_hash, heartbeat_date, created_date) VALUES (?, ?, ?, UTC_TIMESTAMP(), UTC_TIMESTAMP())',
    [dag.name, dag.user, dag.dag_hash],
  );
  return result.insertId;
}

/** Stamps the DAG's heartbeat; an unknown DAG changes nothing (the original's no-op). */
export async function touchHeartbeat(db: Db, dagId: number): Promise<void> {
  await write(db, 'UPDATE task_dag SET heartbeat_date = UTC_TIMESTAMP() WHERE dag_id = ?', [dagId]);
}
