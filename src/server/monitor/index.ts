import { hostname } from 'node:os';
import { pino } from 'pino';
import { createPool } from '../db/pool.js';
import { realClock, realSleep, type Clock, type MonitorLogger, type Sleep } from './clock.js';
import { readMonitorEnv, type MonitorEnv } from './config.js';
import { runLoop } from './loop.js';
import { createPoller } from './poll.js';
import { createLogSender, createSlackSender, type MessageSender } from './slack.js';

export { readMonitorStatus, type MonitorStatus } from './status.js';
export { readMonitorEnv, type MonitorEnv } from './config.js';

export interface RunMonitorOptions {
  logger: MonitorLogger;
  /** Aborting it stops the monitor after its current step. */
  signal: AbortSignal;
  sleep?: Sleep;
  now?: Clock;
  /** Test seams: Slack request timeout and back-off, first retry after a failed poll. */
  slackTimeoutMs?: number;
  slackBackoffMs?: readonly number[];
  firstRetryMs?: number;
}

/** A printable base URL: no user or password part, should one be in it. */
const safeUrl = (raw: string) => {
  const url = new URL(raw);
  url.username = '';
  url.password = '';
  return url.toString();
};

/**
 * Runs the monitor with validated settings until `signal` aborts: polls at
 * once, then every interval; never ends on a database or Slack fault.
 */
export async function runMonitor(settings: MonitorEnv, options: RunMonitorOptions): Promise<void> {
  const { logger, signal, sleep = realSleep, now = realClock } = options;
  const { db } = settings;
  const pool = createPool({ host: db.host, port: db.port, user: db.user, password: db.password.reveal(), database: db.database, connectionLimit: 2 });
  const sender: MessageSender = settings.slackToken
    ? createSlackSender({
        token: settings.slackToken,
        apiUrl: settings.slackApiUrl,
        logger,
        sleep,
        now,
        ...(options.slackTimeoutMs === undefined ? {} : { timeoutMs: options.slackTimeoutMs }),
        ...(options.slackBackoffMs === undefined ? {} : { backoffMs: options.slackBackoffMs }),
      })
    : createLogSender(logger);
  logger.info(
    {
      database: `${db.user}@${db.host}:${db.port}/${db.database}`,
      lossThresholdSeconds: settings.lossThresholdMs / 1000,
      pollIntervalSeconds: settings.pollIntervalMs / 1000,
      slackApiUrl: safeUrl(settings.slackApiUrl),
      wfChannel: settings.wfChannel,
      nodeChannel: settings.nodeChannel,
    },
    'monitor starting',
  );
  if (!settings.slackToken) logger.warn('Slack is off: SLACK_TOKEN is not set, so each message is logged instead of sent');
  const poller = createPoller({
    pool,
    database: db.database,
    sender,
    logger,
    rules: { lossThresholdMs: settings.lossThresholdMs, wfChannel: settings.wfChannel, nodeChannel: settings.nodeChannel },
    pollIntervalMs: settings.pollIntervalMs,
    host: hostname(),
    now,
  });
  try {
    await runLoop({
      poll: (s) => poller.poll(s),
      intervalMs: settings.pollIntervalMs,
      sleep,
      logger,
      signal,
      onError: (error) => poller.noteError(error),
      ...(options.firstRetryMs === undefined ? {} : { firstRetryMs: options.firstRetryMs }),
    });
  } finally {
    await pool.end().catch(() => undefined);
    logger.info('monitor stopped');
  }
}

/**
 * `jobmon-server monitor`: reads the environment (a ConfigError names a bad
 * variable), logs JSON lines to stdout and stops cleanly on SIGTERM/SIGINT.
 */
export async function startMonitor(env: NodeJS.ProcessEnv): Promise<void> {
  const settings = readMonitorEnv(env);
  const logger = pino({
    level: settings.logLevel,
    base: { service: 'monitor' },
    redact: { paths: ['token', '*.token', 'authorization', '*.authorization', '*.headers.authorization'], censor: '[REDACTED]' },
  });
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'stopping after the current step');
    controller.abort();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  try {
    await runMonitor(settings, { logger, signal: controller.signal });
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
  }
}
