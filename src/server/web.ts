import { buildApp } from './app.js';
import type { DbEnv, WebEnv } from './config.js';
import { SCHEMA_VERSION, schemaVersion } from './db/migrations.js';
import { createGuardedPool, type PoolLimits } from './db/pool-guard.js';
import { webLoggerOptions } from './http/logger.js';

const poolOf = (db: DbEnv, size: number, limits: PoolLimits) =>
  createGuardedPool({ host: db.host, port: db.port, user: db.user, password: db.password.reveal(), database: db.database, connectionLimit: size }, limits);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `jobmon-server web`: waits for the schema version this server needs (not
 * just "some table exists"), listens, and on SIGTERM/SIGINT finishes in-flight
 * requests and closes both pools.
 */
export async function startWeb(settings: WebEnv): Promise<void> {
  const jsm = poolOf(settings.jsm, settings.poolSize, settings.pool);
  const jqs = poolOf(settings.jqs, settings.poolSize, settings.pool);
  const app = buildApp(
    { jsm, jqs },
    { logger: webLoggerOptions(settings.logLevel), admin: settings.admin, limits: settings.http },
  );
  for (let attempt = 0; ; attempt++) {
    try {
      const version = await schemaVersion(jqs);
      if (version >= SCHEMA_VERSION) break;
      app.log.info({ version, wanted: SCHEMA_VERSION }, 'waiting for the schema (run jobmon-server initdb)');
    } catch (error) {
      app.log.info({ code: (error as { code?: string }).code }, 'waiting for the database');
    }
    await sleep(Math.min(5_000, 250 * 2 ** Math.min(attempt, 5)));
  }
  // Once shutting down, each answer closes its connection: a client's kept-alive socket would
  // otherwise hold the server open (up to KEEP_ALIVE_TIMEOUT) past `docker stop`'s 10 s grace.
  let closing = false;
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) reply.header('connection', 'close');
    return payload;
  });
  const close = async (signal: string) => {
    closing = true;
    app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    await app.close();
    await Promise.all([jsm.end(), jqs.end()]);
    process.exit(0);
  };
  process.once('SIGTERM', () => void close('SIGTERM'));
  process.once('SIGINT', () => void close('SIGINT'));
  await app.listen({ host: settings.listenHost, port: settings.listenPort });
  // Says whether the admin routes exist, never the token.
  app.log.info({ adminRoutes: settings.admin ? 'on' : 'off', tcpSyslog: settings.admin?.allowTcpSyslog ?? false }, 'admin routes');
}
