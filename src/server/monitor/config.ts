import { ConfigError, readDbEnv, type DbEnv } from '../config.js';
import { optionalSecret, type Secret } from '../secret.js';

type Env = Record<string, string | undefined>;

/** The monitor's settings, validated at start (`jobmon-server monitor`). */
export interface MonitorEnv {
  /** DB_*: the monitor logs in as service_user, like the JSM side of `web`. */
  db: DbEnv;
  lossThresholdMs: number;
  pollIntervalMs: number;
  /** Absent: Slack is off and each message is logged instead. */
  slackToken: Secret | undefined;
  wfChannel: string;
  nodeChannel: string;
  /** The Web API base; messages go to `<base>chat.postMessage`. */
  slackApiUrl: string;
  logLevel: string;
}

const UNITS_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * A duration written as one or more `<number><unit>` parts, unit s, m or h:
 * `30s`, `5m`, `1h`, `1h30m`. Undefined when the text is not one.
 */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim().toLowerCase();
  if (!/^(\d+[smh])+$/.test(trimmed)) return undefined;
  let ms = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+)([smh])/g)) ms += Number(amount) * UNITS_MS[unit!]!;
  return ms;
}

function duration(env: Env, name: string, fallback: string): number {
  const raw = env[name] === undefined || env[name] === '' ? fallback : env[name]!;
  const ms = parseDuration(raw);
  if (ms === undefined || ms <= 0) throw new ConfigError(`${name} must be a duration such as 30s, 5m or 1h, got "${raw}"`);
  return ms;
}

function channel(env: Env, name: string, fallback: string): string {
  const raw = (env[name] ?? '').trim();
  const value = raw === '' ? fallback : raw;
  if (/\s/.test(value) || value.length > 150) throw new ConfigError(`${name} must be one Slack channel name or id, got "${raw}"`);
  return value;
}

function apiUrl(env: Env): string {
  const raw = env.SLACK_API_URL === undefined || env.SLACK_API_URL === '' ? 'https://slack.com/api/' : env.SLACK_API_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`SLACK_API_URL must be an http(s) URL such as https://slack.com/api/, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`SLACK_API_URL must be an http(s) URL such as https://slack.com/api/, got "${raw}"`);
  }
  return raw.endsWith('/') ? raw : `${raw}/`;
}

const LOG_LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/**
 * Reads and checks every monitor variable; throws a ConfigError naming the
 * variable. As in the original, a poll interval shorter than the loss
 * threshold is refused (a run could be lost for a whole interval unseen).
 */
export function readMonitorEnv(env: Env): MonitorEnv {
  const db = readDbEnv(env);
  const lossThresholdMs = duration(env, 'MONITOR_LOSS_THRESHOLD', '5m');
  const pollIntervalMs = duration(env, 'MONITOR_POLL_INTERVAL', '10m');
  if (pollIntervalMs < lossThresholdMs) {
    throw new ConfigError(
      `MONITOR_POLL_INTERVAL (${env.MONITOR_POLL_INTERVAL || '10m'}) must not be shorter than MONITOR_LOSS_THRESHOLD (${env.MONITOR_LOSS_THRESHOLD || '5m'})`,
    );
  }
  const logLevel = (env.LOG_LEVEL || 'info').toLowerCase();
  if (!LOG_LEVELS.has(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${[...LOG_LEVELS].join(', ')}, got "${logLevel}"`);
  return {
    db,
    lossThresholdMs,
    pollIntervalMs,
    slackToken: optionalSecret(env.SLACK_TOKEN?.trim()),
    wfChannel: channel(env, 'WF_SLACK_CHANNEL', 'jobmon-alerts'),
    nodeChannel: channel(env, 'NODE_SLACK_CHANNEL', 'suspicious_nodes'),
    slackApiUrl: apiUrl(env),
    logLevel,
  };
}
