import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_HTTP_LIMITS } from '../../src/server/config-limits.js';
import { readWebEnv } from '../../src/server/config.js';
import { main } from '../../src/server/main.js';

/** `jobmon-server web`'s settings beyond the database: what is refused at start, and the defaults. */

const BASE = { DB_USER: 'service_user', DB_PASS: 'su-pass', JQS_DB_PASS: 'ro-pass' };
const TOKEN = 'a'.repeat(31) + 'Z';

/** Runs `jobmon-server web` with `env` up to its configuration check; returns the exit code and what it printed. */
async function startWeb(env: Record<string, string>) {
  const written: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    return { code: await main(['web'], { ...BASE, ...env }), stderr: written.join('') };
  } finally {
    spy.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('ADMIN_TOKEN and ADMIN_SYSLOG_TCP', () => {
  it('unset or empty: admin off', () => {
    expect(readWebEnv(BASE).admin).toBeUndefined();
    expect(readWebEnv({ ...BASE, ADMIN_TOKEN: '' }).admin).toBeUndefined();
  });

  it('a token of 32 visible characters turns admin on, shown only as [REDACTED]; TCP syslog is off unless enabled', () => {
    const admin = readWebEnv({ ...BASE, ADMIN_TOKEN: TOKEN })!.admin!;
    expect(admin.token.reveal()).toBe(TOKEN);
    expect(JSON.stringify(admin)).not.toContain(TOKEN);
    expect(admin.allowTcpSyslog).toBe(false);
    expect(readWebEnv({ ...BASE, ADMIN_TOKEN: TOKEN, ADMIN_SYSLOG_TCP: 'true' }).admin!.allowTcpSyslog).toBe(true);
  });

  it('a short or blank-holding token stops the start: exit 2, one line naming ADMIN_TOKEN, never its value', async () => {
    for (const [token, reason] of [
      ['short-token-123', 'at least 32 characters'],
      [TOKEN.slice(1), 'at least 32 characters'],
      [`${TOKEN} with blanks`, 'visible ASCII'],
    ] as const) {
      const { code, stderr } = await startWeb({ ADMIN_TOKEN: token });
      expect(code).toBe(2);
      expect(stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(/^jobmon-server web: ADMIN_TOKEN must /);
      expect(stderr).toContain(reason);
      expect(stderr).not.toContain(token);
    }
  });

  it('a bad ADMIN_SYSLOG_TCP stops the start naming it', async () => {
    const { code, stderr } = await startWeb({ ADMIN_TOKEN: TOKEN, ADMIN_SYSLOG_TCP: 'maybe' });
    expect([code, stderr]).toEqual([2, 'jobmon-server web: ADMIN_SYSLOG_TCP must be true or false, got "maybe"\n']);
  });
});

describe('BODY_LIMIT, HEADERS_TIMEOUT, REQUEST_TIMEOUT, KEEP_ALIVE_TIMEOUT, MAX_CONNECTIONS', () => {
  it('default to 2 MiB, 10 s, 30 s, 5 s and 2048', () => {
    expect(readWebEnv(BASE).http).toEqual({ bodyLimit: 2_097_152, headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, maxConnections: 2048 });
    expect(readWebEnv(BASE).http).toEqual(DEFAULT_HTTP_LIMITS);
  });

  it('are read as bytes, durations and a count', () => {
    const env = { ...BASE, BODY_LIMIT: '4194304', HEADERS_TIMEOUT: '500ms', REQUEST_TIMEOUT: '1m30s', KEEP_ALIVE_TIMEOUT: '2s', MAX_CONNECTIONS: '600' };
    expect(readWebEnv(env).http).toEqual({ bodyLimit: 4_194_304, headersTimeoutMs: 500, requestTimeoutMs: 90_000, keepAliveTimeoutMs: 2_000, maxConnections: 600 });
  });

  it('refuse a bad value at start, naming the variable', async () => {
    for (const [name, value, message] of [
      ['BODY_LIMIT', '1000', 'BODY_LIMIT must be a whole number from 65536 to 1073741824, got "1000"'],
      ['BODY_LIMIT', '2MB', 'BODY_LIMIT must be a whole number from 65536 to 1073741824, got "2MB"'],
      ['REQUEST_TIMEOUT', '30', 'REQUEST_TIMEOUT must be a duration such as 500ms, 30s, 5m or 1h, got "30"'],
      ['KEEP_ALIVE_TIMEOUT', '0s', 'KEEP_ALIVE_TIMEOUT must be a duration such as 500ms, 30s, 5m or 1h, got "0s"'],
      ['MAX_CONNECTIONS', '0', 'MAX_CONNECTIONS must be a whole number from 1 to 9007199254740991, got "0"'],
      ['HEADERS_TIMEOUT', '1m', 'HEADERS_TIMEOUT must not be longer than REQUEST_TIMEOUT'],
    ]) {
      expect(await startWeb({ [name!]: value! })).toEqual({ code: 2, stderr: `jobmon-server web: ${message}\n` });
    }
  });
});

describe('DB_QUEUE_LIMIT, DB_ACQUIRE_TIMEOUT and DB_HOLD_TIMEOUT', () => {
  it('default to 500 waiting requests, 5 s and 60 s per pool, and are read as a count and durations', () => {
    expect(readWebEnv(BASE).pool).toEqual({ queueLimit: 500, acquireTimeoutMs: 5_000, holdTimeoutMs: 60_000 });
    const env = { ...BASE, DB_QUEUE_LIMIT: '0', DB_ACQUIRE_TIMEOUT: '750ms', DB_HOLD_TIMEOUT: '2m' };
    expect(readWebEnv(env).pool).toEqual({ queueLimit: 0, acquireTimeoutMs: 750, holdTimeoutMs: 120_000 });
  });

  it('refuse a bad value at start, naming the variable', async () => {
    expect(await startWeb({ DB_QUEUE_LIMIT: '-1' })).toEqual({ code: 2, stderr: 'jobmon-server web: DB_QUEUE_LIMIT must be a whole number from 0 to 9007199254740991, got "-1"\n' });
    expect(await startWeb({ DB_ACQUIRE_TIMEOUT: 'soon' })).toEqual({ code: 2, stderr: 'jobmon-server web: DB_ACQUIRE_TIMEOUT must be a duration such as 500ms, 30s, 5m or 1h, got "soon"\n' });
  });
});
