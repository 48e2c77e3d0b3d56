import { ConfigError, readBoolean, type Env } from './config-parse.js';
import { Secret } from './secret.js';

/** What turns the admin routes on; absent, they are not registered at all. */
export interface AdminSettings {
  token: Secret;
  /** `.../tcp` syslog targets make the server hold a connection open to an operator-given host: opt-in. */
  allowTcpSyslog: boolean;
}

/** Short enough to guess is refused: 32 characters is `openssl rand -hex 16`. */
export const ADMIN_TOKEN_MIN_LENGTH = 32;

/**
 * ADMIN_TOKEN (unset: admin routes off) and ADMIN_SYSLOG_TCP. A bad token is
 * refused naming the variable and its length, never its value.
 */
export function readAdminEnv(env: Env): AdminSettings | undefined {
  const raw = env.ADMIN_TOKEN;
  const allowTcpSyslog = readBoolean(env, 'ADMIN_SYSLOG_TCP', false);
  if (raw === undefined || raw === '') return undefined;
  if (raw.length < ADMIN_TOKEN_MIN_LENGTH) {
    throw new ConfigError(`ADMIN_TOKEN must be at least ${ADMIN_TOKEN_MIN_LENGTH} characters (try: openssl rand -hex 32), got ${raw.length}`);
  }
  // A bearer token is one word of visible ASCII; anything else could not be sent in the header as set.
  if (!/^[\x21-\x7e]+$/.test(raw)) throw new ConfigError('ADMIN_TOKEN must be visible ASCII without blanks');
  return { token: new Secret(raw), allowTcpSyslog };
}
