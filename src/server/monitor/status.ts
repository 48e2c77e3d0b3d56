import type { Connection } from 'mysql2/promise';
import { countPending, readFailed } from './outbox.js';
import { select } from './db.js';

/**
 * The monitor's liveness record (decisions.md 19): one row, written at the end
 * of every completed poll, read by GET /health and `jobmon-ops status`.
 */

type Db = Pick<Connection, 'query'>;

export interface PollRecord {
  host: string;
  startedAt: Date;
  slack: 'on' | 'off';
  pollIntervalMs: number;
  lossThresholdMs: number;
  durationMs: number;
  activeRuns: number;
  lostRuns: number;
  disappearingDags: number;
  failingNodes: number;
  messagesSent: number;
  /** The latest fault since the previous completed poll (or in this one), if any. */
  lastError: { message: string; at: Date } | undefined;
}

/** Stores one completed poll; the row exists from migration 2 on. */
export async function recordPoll(db: Db, record: PollRecord): Promise<void> {
  await db.query(
    `UPDATE monitor_status SET host = ?, started_at = ?, slack = ?, poll_interval_s = ?, loss_threshold_s = ?,
       polls = polls + 1, last_poll_at = UTC_TIMESTAMP(), last_poll_ms = ?, active_runs = ?, lost_runs = ?,
       disappearing_dags = ?, failing_nodes = ?, messages_sent = ?, last_error = ?, last_error_at = ?
     WHERE id = 1`,
    [
      record.host.slice(0, 150),
      record.startedAt,
      record.slack,
      Math.round(record.pollIntervalMs / 1000),
      Math.round(record.lossThresholdMs / 1000),
      Math.round(record.durationMs),
      record.activeRuns,
      record.lostRuns,
      record.disappearingDags,
      record.failingNodes,
      record.messagesSent,
      record.lastError?.message.slice(0, 500) ?? null,
      record.lastError?.at ?? null,
    ],
  );
}

export interface MonitorStatus {
  /** ISO time (UTC) of the last completed poll; null before the first. */
  lastPollAt: string | null;
  secondsSinceLastPoll: number | null;
  /** No completed poll within two intervals plus a minute: the monitor is not doing its job. */
  stale: boolean;
  polls: number;
  host: string | null;
  startedAt: string | null;
  slack: 'on' | 'off' | null;
  pollIntervalSeconds: number | null;
  lossThresholdSeconds: number | null;
  lastPoll: {
    durationMs: number;
    activeRuns: number;
    lostRuns: number;
    disappearingDags: number;
    failingNodes: number;
    messagesSent: number;
  } | null;
  /** Messages not yet delivered (Slack down or refusing them), failed ones left out. */
  pendingMessages: number;
  /** Messages Slack refused for good (MAX_REFUSALS times): never sent. */
  failedMessages: number;
  /** The most recently failed message, with Slack's reason, e.g. `Slack answered ok:false (channel_not_found)`. */
  lastFailedMessage: { id: number; channel: string; reason: string | null; failedAt: string | null } | null;
  lastError: string | null;
  lastErrorAt: string | null;
}

const ER_NO_SUCH_TABLE = 1146;
const iso = (value: unknown): string | null => {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(`${String(value).replace(' ', 'T')}Z`);
  return date.toISOString().replace('.000Z', 'Z');
};
const int = (value: unknown): number => Number(value ?? 0);

/**
 * The monitor's last completed poll as GET /health and `status` show it;
 * null when the schema has no monitor tables yet (before migration 2).
 * Any SELECT-capable account may read it.
 */
export async function readMonitorStatus(db: Db): Promise<MonitorStatus | null> {
  let rows: Array<Record<string, unknown>>;
  try {
    rows = await select(db, 'SELECT *, TIMESTAMPDIFF(SECOND, last_poll_at, UTC_TIMESTAMP()) AS age FROM monitor_status WHERE id = 1');
  } catch (error) {
    if ((error as { errno?: unknown }).errno === ER_NO_SUCH_TABLE) return null;
    throw error;
  }
  const row = rows[0] ?? {};
  const failed = await readFailed(db);
  const polled = row.last_poll_at !== null && row.last_poll_at !== undefined;
  const age = polled ? int(row.age) : null;
  const interval = row.poll_interval_s === null || row.poll_interval_s === undefined ? null : int(row.poll_interval_s);
  return {
    lastPollAt: iso(row.last_poll_at),
    secondsSinceLastPoll: age,
    stale: age === null || interval === null || age > 2 * interval + 60,
    polls: int(row.polls),
    host: (row.host as string | null) ?? null,
    startedAt: iso(row.started_at),
    slack: (row.slack as 'on' | 'off' | null) ?? null,
    pollIntervalSeconds: interval,
    lossThresholdSeconds: row.loss_threshold_s === null || row.loss_threshold_s === undefined ? null : int(row.loss_threshold_s),
    lastPoll: polled
      ? {
          durationMs: int(row.last_poll_ms),
          activeRuns: int(row.active_runs),
          lostRuns: int(row.lost_runs),
          disappearingDags: int(row.disappearing_dags),
          failingNodes: int(row.failing_nodes),
          messagesSent: int(row.messages_sent),
        }
      : null,
    pendingMessages: await countPending(db),
    failedMessages: failed.count,
    lastFailedMessage: failed.last && { id: failed.last.id, channel: failed.last.channel, reason: failed.last.reason, failedAt: iso(failed.last.at) },
    lastError: (row.last_error as string | null) ?? null,
    lastErrorAt: iso(row.last_error_at),
  };
}
