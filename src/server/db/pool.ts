import mysql, { type Pool, type PoolConnection } from 'mysql2/promise';

/** Where and as whom a pool connects. The password never appears in logs or errors. */
export interface DbSettings {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** Pool size; the default suits one web process on a small host. */
  connectionLimit?: number;
}

/**
 * A mysql2 pool with DATETIME values returned as strings ("YYYY-MM-DD
 * HH:MM:SS"), the form Jobmon puts on the wire. All SQL stamps times with
 * UTC_TIMESTAMP(), so the session time zone never matters. `trace: false`:
 * mysql2 would otherwise capture a stack trace for every query (about 7% of
 * the web server's CPU under load, bench/README.md); a failed query still
 * carries its code, errno and message.
 */
export function createPool(settings: DbSettings): Pool {
  return mysql.createPool({
    host: settings.host,
    port: settings.port,
    user: settings.user,
    password: settings.password,
    database: settings.database,
    connectionLimit: settings.connectionLimit ?? 10,
    waitForConnections: true,
    timezone: 'Z',
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: false,
    connectTimeout: 5_000,
    trace: false,
  });
}

/** Opens one connection (for initdb and tools that need a session of their own). */
export async function connect(settings: Omit<DbSettings, 'database'> & { database?: string }): Promise<mysql.Connection> {
  const connection = await mysql.createConnection({
    host: settings.host,
    port: settings.port,
    user: settings.user,
    password: settings.password,
    ...(settings.database ? { database: settings.database } : {}),
    timezone: 'Z',
    dateStrings: true,
    supportBigNumbers: true,
    connectTimeout: 5_000,
    multipleStatements: false,
  });
  await connection.query("SET time_zone = '+00:00'");
  return connection;
}

/** Codes MariaDB uses when it picked this transaction as a deadlock victim. */
const DEADLOCK = new Set(['ER_LOCK_DEADLOCK']);
const DEADLOCK_RETRIES = 3;

const isRetryable = (error: unknown, attempt: number) => {
  const code = (error as { code?: string }).code;
  return Boolean(code && DEADLOCK.has(code) && attempt < DEADLOCK_RETRIES);
};

/**
 * Runs `work` in one transaction on a pooled connection: commit when it
 * returns, roll back when it throws. Every write that takes more than one
 * statement is one of these. A deadlock victim has changed nothing, so the
 * whole transaction is run again (a few times) instead of failing the request.
 */
export async function withTransaction<T>(pool: Pool, work: (connection: PoolConnection) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const connection = await pool.getConnection();
    try {
      await connection.beginTransaction();
      const result = await work(connection);
      await connection.commit();
      return result;
    } catch (error) {
      await connection.rollback().catch(() => undefined);
      if (!isRetryable(error, attempt)) throw error;
    } finally {
      connection.release();
    }
  }
}

/**
 * Runs `work` on one pooled connection in autocommit mode: each statement is
 * its own transaction, so `work` may write with at most one statement (a
 * conditional UPDATE that moves rows atomically, or does nothing). It saves
 * the BEGIN and COMMIT round trips of `withTransaction`. Deadlock victims are
 * retried the same way.
 */
export async function withAutocommit<T>(pool: Pool, work: (connection: PoolConnection) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const connection = await pool.getConnection();
    try {
      return await work(connection);
    } catch (error) {
      if (!isRetryable(error, attempt)) throw error;
    } finally {
      connection.release();
    }
  }
}

const CONNECTION_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_ACCESS_DENIED_ERROR',
  // waited too long for a row lock: the server is overloaded, the client retries 5xx
  'ER_LOCK_WAIT_TIMEOUT',
  // no pooled connection in time, or too many waiting for one (pool-guard.ts)
  'DB_ACQUIRE_TIMEOUT',
  'DB_QUEUE_FULL',
]);

/** True when an error means the database cannot be reached (HTTP 503), not that a query was wrong. */
export function isUnavailableError(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && CONNECTION_ERRORS.has(code);
}
