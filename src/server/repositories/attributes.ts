import { type Db, write } from './db.js';

/** The three attribute tables and the column naming their owner. */
export const ATTRIBUTE_OWNERS = {
  workflow_attribute: 'workflow_id',
  workflow_run_attribute: 'workflow_run_id',
  job_attribute: 'job_id',
} as const;
export type AttributeTable = keyof typeof ATTRIBUTE_OWNERS;

/** INSERT one attribute row; unknown owners and types fail on the schema's foreign keys. */
export async function insertAttribute(
  db: Db,
  table: AttributeTable,
  ownerId: number,
  attributeType: number,
  value: string | null,
): Promise<number> {
  const result = await write(db, `INSERT INTO ${table} (${ATTRIBUTE_OWNERS[table]}, attribute_type, value) VALUES (?, ?, ?)`, [
    ownerId,
    attributeType,
    value,
  ]);
  return result.insertId;
}

/** INSERT several job_attribute rows at once (log_usage). */
export async function insertJobAttributes(db: Db, jobId: number, rows: ReadonlyArray<readonly [number, string]>): Promise<void> {
  if (rows.length === 0) return;
  await write(db, 'INSERT INTO job_attribute (job_id, attribute_type, value) VALUES ?', [rows.map(([type, value]) => [jobId, type, value])]);
}
