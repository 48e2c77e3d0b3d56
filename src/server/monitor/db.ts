import { createHash } from 'node:crypto';
import type { Connection, ResultSetHeader } from 'mysql2/promise';

/** Query helpers of the monitor's SQL, and its poll lock. */

/** One session: the poll runs on a single pooled connection (its named lock is per session). */
export type MonitorDb = Pick<Connection, 'query' | 'beginTransaction' | 'commit' | 'rollback'>;

/** A query that hangs (a black-holed network) fails instead of stalling the loop. */
const QUERY_TIMEOUT_MS = 30_000;

export async function select<T>(db: Pick<Connection, 'query'>, sql: string, values: unknown[] = []): Promise<T[]> {
  const [rows] = await db.query({ sql, timeout: QUERY_TIMEOUT_MS }, values);
  return rows as T[];
}

export async function write(db: MonitorDb, sql: string, values: unknown[]): Promise<ResultSetHeader> {
  const [result] = await db.query({ sql, timeout: QUERY_TIMEOUT_MS }, values);
  return result as ResultSetHeader;
}

/** A DATETIME string of the pool (`dateStrings`), read as UTC. */
export const utc = (value: string | null): Date | null => (value === null ? null : new Date(`${value.replace(' ', 'T')}Z`));
export const num = (value: unknown): number => Number(value ?? 0);
export const orNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

/**
 * Takes the per-database lock that keeps two monitors (e.g. during a
 * redeploy) from polling at once; returns its release, or undefined when
 * another session holds it.
 */
export async function tryPollLock(db: MonitorDb, database: string): Promise<(() => Promise<void>) | undefined> {
  const raw = `jobmon_monitor_${database}`;
  const name = raw.length <= 64 ? raw : `jobmon_monitor_${createHash('sha256').update(database).digest('hex').slice(0, 40)}`;
  const [row] = await select<{ got: unknown }>(db, 'SELECT GET_LOCK(?, 0) AS got', [name]);
  if (num(row?.got) !== 1) return undefined;
  return async () => {
    await db.query('SELECT RELEASE_LOCK(?)', [name]).catch(() => undefined);
  };
}
