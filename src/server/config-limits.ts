import { ConfigError, readDuration, readWholeNumber, type Env } from './config-parse.js';
import { DEFAULT_POOL_LIMITS, type PoolLimits } from './db/pool-guard.js';

/** How much a client may send and how long it may take; see docs/server.md, "Limits". */
export interface HttpLimits {
  /** Largest body in bytes: about 1.8 times the largest the 0.8 client can legitimately send. */
  bodyLimit: number;
  /** From connecting (or the previous answer) to the end of the headers. */
  headersTimeoutMs: number;
  /** From connecting to the last byte of the body: what cuts off a body trickled a byte at a time. */
  requestTimeoutMs: number;
  /** How long an idle kept-alive connection stays open. */
  keepAliveTimeoutMs: number;
  /** Open connections beyond this are closed on arrival. */
  maxConnections: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  bodyLimit: 2 * 1024 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 2048,
};

/** BODY_LIMIT, HEADERS_TIMEOUT, REQUEST_TIMEOUT, KEEP_ALIVE_TIMEOUT and MAX_CONNECTIONS, validated at start. */
export function readHttpLimitsEnv(env: Env): HttpLimits {
  const limits: HttpLimits = {
    // Below 64 KiB a legitimate POST /job with a long command would be refused.
    bodyLimit: readWholeNumber(env, 'BODY_LIMIT', DEFAULT_HTTP_LIMITS.bodyLimit, 64 * 1024, 1024 * 1024 * 1024),
    headersTimeoutMs: readDuration(env, 'HEADERS_TIMEOUT', '10s'),
    requestTimeoutMs: readDuration(env, 'REQUEST_TIMEOUT', '30s'),
    keepAliveTimeoutMs: readDuration(env, 'KEEP_ALIVE_TIMEOUT', '5s'),
    maxConnections: readWholeNumber(env, 'MAX_CONNECTIONS', DEFAULT_HTTP_LIMITS.maxConnections),
  };
  // Node enforces the headers deadline inside the request one; a longer one could never fire.
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) throw new ConfigError('HEADERS_TIMEOUT must not be longer than REQUEST_TIMEOUT');
  return limits;
}

/** DB_QUEUE_LIMIT, DB_ACQUIRE_TIMEOUT, DB_HOLD_TIMEOUT: how many requests may wait for a connection per pool, how long, and how long one may hold it. */
export function readPoolLimitsEnv(env: Env): PoolLimits {
  return {
    queueLimit: readWholeNumber(env, 'DB_QUEUE_LIMIT', DEFAULT_POOL_LIMITS.queueLimit, 0),
    acquireTimeoutMs: readDuration(env, 'DB_ACQUIRE_TIMEOUT', '5s'),
    holdTimeoutMs: readDuration(env, 'DB_HOLD_TIMEOUT', '60s'),
  };
}
