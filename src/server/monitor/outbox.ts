import type { Connection } from 'mysql2/promise';
import type { MonitorLogger } from './clock.js';
import { select } from './db.js';
import type { MessageSender } from './slack.js';

/**
 * Delivery of the queued messages. A message leaves the outbox only by
 * being delivered (`delivered_at`); every failure is counted and kept with
 * its reason, and the message is tried again at the next poll.
 */

export interface PendingMessage {
  id: number;
  channel: string;
  text: string;
  attempts: number;
}

export interface DeliveryResult {
  sent: number;
  failed: number;
  /** The reason of the last failure in this pass, if any. */
  error: string | undefined;
}

type Db = Pick<Connection, 'query'>;

/** A pass handles at most this many, oldest first; the rest wait for the next poll. */
const PASS_LIMIT = 50;

export async function pendingMessages(db: Db): Promise<PendingMessage[]> {
  const rows = await select<{ id: number; channel: string; text: string; attempts: number }>(
    db,
    `SELECT id, channel, text, attempts FROM monitor_notification WHERE delivered_at IS NULL ORDER BY id LIMIT ${PASS_LIMIT}`,
  );
  return rows.map((row) => ({ id: Number(row.id), channel: row.channel, text: row.text, attempts: Number(row.attempts) }));
}

export async function countPending(db: Db): Promise<number> {
  const [row] = await select<{ n: unknown }>(db, 'SELECT COUNT(*) AS n FROM monitor_notification WHERE delivered_at IS NULL');
  return Number(row?.n ?? 0);
}

async function markDelivered(db: Db, id: number, via: string): Promise<void> {
  await db.query(
    `UPDATE monitor_notification
     SET delivered_at = UTC_TIMESTAMP(), delivered_via = ?, attempts = attempts + 1, last_attempt_at = UTC_TIMESTAMP(), last_error = NULL
     WHERE id = ? AND delivered_at IS NULL`,
    [via, id],
  );
}

async function markFailed(db: Db, id: number, reason: string): Promise<void> {
  await db.query(
    'UPDATE monitor_notification SET attempts = attempts + 1, last_attempt_at = UTC_TIMESTAMP(), last_error = ? WHERE id = ?',
    [reason.slice(0, 255), id],
  );
}

/**
 * Sends the pending messages in order. Stops early when Slack is down, rate
 * limiting or refusing the token (the rest would fail the same way), or when
 * `signal` aborts (shutdown). A database error propagates: the poll fails.
 */
export async function deliverPending(db: Db, sender: MessageSender, logger: MonitorLogger, signal?: AbortSignal): Promise<DeliveryResult> {
  const result: DeliveryResult = { sent: 0, failed: 0, error: undefined };
  for (const message of await pendingMessages(db)) {
    if (signal?.aborted) break;
    const outcome = await sender.send(message.channel, message.text, signal);
    if (outcome.status === 'sent') {
      await markDelivered(db, message.id, sender.via);
      result.sent += 1;
      if (sender.via === 'slack') logger.info({ notification: message.id, channel: message.channel }, 'message delivered to Slack');
      continue;
    }
    await markFailed(db, message.id, outcome.reason);
    result.failed += 1;
    result.error = outcome.reason;
    logger.warn(
      { notification: message.id, channel: message.channel, attempts: message.attempts + 1, reason: outcome.reason },
      'message not delivered; kept for the next poll',
    );
    if (outcome.stopPass) break;
  }
  return result;
}
