import type { FastifyInstance } from 'fastify';
import type { AdminSettings } from '../config-admin.js';
import { requireAdminToken } from '../http/admin-auth.js';
import { HttpError } from '../http/errors.js';
import { openSyslogSink, PYTHON_LEVEL_SEVERITY, SEVERITY, type SyslogSink } from '../http/syslog.js';

/** Each target costs a socket and a send per request; there is no detach route, so the cap also bounds a mistake. */
export const MAX_SYSLOG_TARGETS = 4;

/** Python logging level names onto pino levels. NOTSET ("log everything the handlers pass") becomes info. */
const PINO_LEVEL: Record<string, string> = {
  CRITICAL: 'fatal',
  ERROR: 'error',
  WARNING: 'warn',
  INFO: 'info',
  DEBUG: 'debug',
  NOTSET: 'info',
};

const PYTHON_NAME: Record<string, string> = { fatal: 'CRITICAL', error: 'ERROR', warn: 'WARNING', info: 'INFO', debug: 'DEBUG', trace: 'NOTSET' };

/** The original's rule: case-insensitive, and anything unknown is NOTSET. */
export function pythonLevel(name: string): string {
  const level = name.toUpperCase();
  return Object.hasOwn(PINO_LEVEL, level) ? level : 'NOTSET';
}

/** Python's int() on a path segment: optional sign and blanks around the digits. */
function parsePort(text: string): number | undefined {
  return /^\s*[+-]?\d+\s*$/.test(text) ? Number(text) : undefined;
}

/** How bad a completed request was, as a syslog severity. */
const requestSeverity = (statusCode: number) => (statusCode >= 500 ? SEVERITY.error : statusCode >= 400 ? SEVERITY.warning : SEVERITY.info);

/**
 * The admin routes of the 0.8 JSM: log level, remote syslog and debug. State
 * is per process, as it was per uWSGI worker. Attached syslog receivers get
 * one line per completed request (method, URL, status, time, request id);
 * headers and bodies never leave the process. 0.8 left them open to anyone;
 * here each needs the admin token (ADMIN_TOKEN), and without one they are
 * not registered, so they answer 404 like any unknown path.
 */
export function registerAdminRoutes(app: FastifyInstance, settings: AdminSettings): void {
  // Only a real pino logger has levels; with logging off there is nothing to change.
  const hasLogger = typeof (app.log as { isLevelEnabled?: unknown }).isLevelEnabled === 'function';
  const setLoggerLevel = (pino: string) => {
    if (hasLogger) app.log.level = pino;
  };
  // The original's process default was WARNING; ours reports the level LOG_LEVEL really set.
  let level = (hasLogger && PYTHON_NAME[app.log.level]) || 'WARNING';
  const sinks: SyslogSink[] = [];
  // Attaches still connecting hold a place too, so parallel requests cannot pass the cap together.
  let opening = 0;
  const admin = { onRequest: requireAdminToken(settings.token) };

  app.addHook('onResponse', async (request, reply) => {
    if (sinks.length === 0) return;
    const line = `${request.method} ${request.url} ${reply.statusCode} ${reply.elapsedTime.toFixed(1)}ms reqId=${request.id}`;
    for (const sink of sinks) sink.send(requestSeverity(reply.statusCode), line);
  });
  app.addHook('onClose', async () => {
    await Promise.all(sinks.splice(0).map((sink) => sink.close()));
  });

  app.get('/log_level', admin, async () => ({ level }));

  app.post<{ Params: { level: string } }>('/log_level/:level', admin, async (request) => {
    level = pythonLevel(request.params.level);
    setLoggerLevel(PINO_LEVEL[level]!);
    return { msn: `Set server log to ${level}` };
  });

  app.post<{ Params: { level: string; host: string; port: string; sockettype: string } }>(
    '/attach_remote_syslog/:level/:host/:port/:sockettype',
    admin,
    async (request, reply) => {
      const { host, sockettype } = request.params;
      const port = parsePort(request.params.port);
      if (port === undefined) return reply.status(400).send({ msn: `Unable to convert ${request.params.port} to integer` });
      // The original meant "TCP when asked, else UDP" but always used UDP; we honour TCP.
      const transport = sockettype.toUpperCase() === 'TCP' ? 'tcp' : 'udp';
      const maxSeverity = PYTHON_LEVEL_SEVERITY[pythonLevel(request.params.level)]!;
      if (transport === 'tcp' && !settings.allowTcpSyslog) {
        throw new HttpError(403, 'tcp_syslog_disabled', 'syslog over TCP is off: attach over udp, or start the server with ADMIN_SYSLOG_TCP=true');
      }
      if (sinks.length + opening >= MAX_SYSLOG_TARGETS) {
        throw new HttpError(409, 'too_many_syslog_targets', `at most ${MAX_SYSLOG_TARGETS} syslog targets can be attached at once; a restart detaches them all`);
      }
      opening++;
      try {
        sinks.push(await openSyslogSink({ host, port, transport, maxSeverity }));
      } catch (error) {
        const reason = (error as { code?: string }).code ?? (error as Error).message;
        request.log.warn({ host, port, transport, reason }, 'syslog attach failed');
        return reply.status(500).send({ msn: `Unable to attach syslog ${host}:${port}/${transport}: ${reason}` });
      } finally {
        opening--;
      }
      return { msn: `Attach syslog ${host}:${port}` };
    },
  );

  app.get('/syslog_status', admin, async () => ({ syslog: sinks.length > 0 }));

  app.post('/debug_on', admin, async () => {
    level = 'DEBUG';
    setLoggerLevel('debug');
    return { msn: 'The root logger lever has been set to DEBUG. This action is irreversible.' };
  });
}
