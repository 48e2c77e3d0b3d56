import { readAdminEnv, type AdminSettings } from './config-admin.js';
import { readHttpLimitsEnv, readPoolLimitsEnv, type HttpLimits } from './config-limits.js';
import { ConfigError, type Env } from './config-parse.js';
import type { PoolLimits } from './db/pool-guard.js';
import { Secret } from './secret.js';

export { ConfigError } from './config-parse.js';

function text(env: Env, name: string, fallback?: string): string {
  const value = env[name];
  if (value !== undefined && value !== '') return value;
  if (fallback !== undefined) return fallback;
  throw new ConfigError(`${name} is not set`);
}

function port(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 65535) throw new ConfigError(`${name} must be a port number (1-65535), got "${raw}"`);
  return Number(raw);
}

function secret(env: Env, name: string): Secret {
  return new Secret(text(env, name));
}

export interface DbEnv {
  host: string;
  port: number;
  user: string;
  password: Secret;
  database: string;
}

/** DB_HOST, DB_PORT, DB_USER, DB_PASS, DB_NAME: the connection of initdb, the JSM side and the monitor. */
export function readDbEnv(env: Env): DbEnv {
  return {
    host: text(env, 'DB_HOST', 'db'),
    port: port(env, 'DB_PORT', 3306),
    user: text(env, 'DB_USER'),
    password: secret(env, 'DB_PASS'),
    database: text(env, 'DB_NAME', 'docker'),
  };
}

export interface WebEnv {
  jsm: DbEnv;
  /** The query side logs in as its own SELECT-only account. */
  jqs: DbEnv;
  listenHost: string;
  listenPort: number;
  logLevel: string;
  poolSize: number;
  /** Set only when ADMIN_TOKEN is: the admin routes are off otherwise. */
  admin: AdminSettings | undefined;
  http: HttpLimits;
  /** Per pool: how many requests may wait for a connection, and how long. */
  pool: PoolLimits;
}

const LOG_LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** The web service's settings, validated at start; throws a ConfigError naming the variable. */
export function readWebEnv(env: Env): WebEnv {
  const jsm = readDbEnv(env);
  const logLevel = text(env, 'LOG_LEVEL', 'info').toLowerCase();
  if (!LOG_LEVELS.has(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${[...LOG_LEVELS].join(', ')}, got "${logLevel}"`);
  const poolSize = text(env, 'DB_POOL_SIZE', '10');
  if (!/^\d+$/.test(poolSize) || Number(poolSize) < 1) throw new ConfigError(`DB_POOL_SIZE must be a positive whole number, got "${poolSize}"`);
  return {
    jsm,
    jqs: { ...jsm, user: text(env, 'JQS_DB_USER', 'read_only'), password: secret(env, 'JQS_DB_PASS') },
    listenHost: text(env, 'LISTEN_HOST', '0.0.0.0'),
    listenPort: port(env, 'LISTEN_PORT', 80),
    logLevel,
    poolSize: Number(poolSize),
    admin: readAdminEnv(env),
    http: readHttpLimitsEnv(env),
    pool: readPoolLimitsEnv(env),
  };
}
