import type { Socket } from 'node:net';
import type { Pool, PoolConnection } from 'mysql2/promise';
import { createPool, type DbSettings } from './pool.js';

/** How long and how many requests may wait for a database connection. */
export interface PoolLimits {
  /** Requests that may wait beyond the pool's size, per pool; more get 503 at once. */
  queueLimit: number;
  /** How long a request may wait for a connection, opening one included, before it gets 503. */
  acquireTimeoutMs: number;
  /** How long a request may hold a connection; past it the connection is closed and its query fails. */
  holdTimeoutMs: number;
}

/** The hold timeout outlasts MariaDB's 50 s row-lock wait, so a lock wait still ends in its own error. */
export const DEFAULT_POOL_LIMITS: PoolLimits = { queueLimit: 500, acquireTimeoutMs: 5_000, holdTimeoutMs: 60_000 };

const poolError = (code: string, message: string) => Object.assign(new Error(message), { code });

/** The TCP socket under a pooled connection (mysql2 keeps it as `stream`). */
const socketOf = (connection: PoolConnection) => (connection.connection as unknown as { stream?: Socket }).stream;

/** Resolves as `promise` does, or rejects with DB_ACQUIRE_TIMEOUT once `ms` have passed. */
function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(poolError('DB_ACQUIRE_TIMEOUT', `no database connection within ${ms} ms`)), Math.max(0, ms));
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/**
 * Wraps a mysql2 pool so that no request waits for a connection without
 * bound. mysql2 queues callers without limit, and a caller whose connection
 * is being opened to a database that does not answer waits out the whole
 * connect timeout; with the database paused, requests would pile up for as
 * long as it stays away. Here at most `size` callers hold or open a
 * connection, `queueLimit` more wait in line, and each gives up after
 * `acquireTimeoutMs`: both failures carry a code the app answers with 503.
 * A connection held past `holdTimeoutMs` is closed. The pool itself is
 * untouched, so it recovers as soon as connections open again.
 */
export function guardPool(pool: Pool, size: number, limits: PoolLimits): Pool {
  let active = 0;
  const waiting: Array<() => void> = [];

  const enter = (ms: number): Promise<void> => {
    if (active < size) {
      active++;
      return Promise.resolve();
    }
    if (waiting.length >= limits.queueLimit) return Promise.reject(poolError('DB_QUEUE_FULL', `${waiting.length} requests already wait for a database connection`));
    return new Promise((resolve, reject) => {
      const grant = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        waiting.splice(waiting.indexOf(grant), 1);
        reject(poolError('DB_ACQUIRE_TIMEOUT', `no database connection within ${ms} ms`));
      }, ms);
      waiting.push(grant);
    });
  };
  // A freed place goes straight to the longest waiter.
  const leave = () => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };

  const getConnection = async (): Promise<PoolConnection> => {
    const started = Date.now();
    await enter(limits.acquireTimeoutMs);
    const pending = pool.getConnection();
    let connection: PoolConnection;
    try {
      connection = await withDeadline(pending, limits.acquireTimeoutMs - (Date.now() - started));
    } catch (error) {
      // The place stays taken until mysql2 is done opening, so it never opens more than `size` at once.
      pending.then(
        (late) => {
          late.release();
          leave();
        },
        leave,
      );
      throw error;
    }
    // A database that stops answering mid-query would keep this place until TCP gives up, which
    // takes hours against a silent peer. Tearing the socket down fails the query in flight
    // (PROTOCOL_CONNECTION_LOST, 503), drops the connection from the pool, and makes the server
    // roll its transaction back. Not destroy(): mysql2 ends the socket politely and then ignores
    // its close, so a query in flight would never hear of it.
    const watchdog = setTimeout(() => socketOf(connection)?.destroy(), limits.holdTimeoutMs);
    watchdog.unref();
    let done = false;
    const finish = <A extends unknown[]>(original: (...args: A) => void) => (...args: A) => {
      original(...args);
      if (done) return;
      done = true;
      clearTimeout(watchdog);
      leave();
    };
    connection.release = finish(connection.release.bind(connection));
    connection.destroy = finish(connection.destroy.bind(connection));
    return connection;
  };

  const viaConnection = (method: 'query' | 'execute') => async (...args: unknown[]) => {
    const connection = await getConnection();
    try {
      return await (connection[method] as (...a: unknown[]) => Promise<unknown>)(...args);
    } finally {
      connection.release();
    }
  };

  return Object.assign(Object.create(pool) as Pool, { getConnection, query: viaConnection('query'), execute: viaConnection('execute') });
}

/** A pool for the web service: mysql2's, behind the guard. */
export function createGuardedPool(settings: DbSettings & { connectionLimit: number }, limits: PoolLimits): Pool {
  return guardPool(createPool(settings), settings.connectionLimit, limits);
}
