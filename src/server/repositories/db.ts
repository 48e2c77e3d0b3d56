import type { PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';

/** The connection a repository runs on: always the one of the route's transaction. */
export type Db = Pick<PoolConnection, 'query'>;

/** Runs a statement that returns rows. */
export async function selectRows(db: Db, sql: string, values: unknown[] = []): Promise<RowDataPacket[]> {
  const [rows] = await db.query<RowDataPacket[]>(sql, values);
  return rows;
}

/** Runs an INSERT/UPDATE; `affectedRows` counts matched rows (mysql2 sets FOUND_ROWS). */
export async function write(db: Db, sql: string, values: unknown[] = []): Promise<ResultSetHeader> {
  const [result] = await db.query<ResultSetHeader>(sql, values);
  return result;
}

/** `a = ?, b = ?` (or `t.a = ?, ...` with a table alias) and its values for the keys of `columns` that are listed in `allowed`. */
export function assignments(columns: Record<string, unknown>, allowed: readonly string[], alias?: string): { sql: string; values: unknown[] } {
  const names = allowed.filter((name) => Object.hasOwn(columns, name) && columns[name] !== undefined);
  const prefix = alias === undefined ? '' : `${alias}.`;
  return { sql: names.map((name) => `${prefix}\`${name}\` = ?`).join(', '), values: names.map((name) => columns[name]) };
}
