import type { Connection } from 'mysql2/promise';
import { select } from './db.js';

/**
 * The outbox's SQL. A message is pending until it is delivered
 * (`delivered_at`) or failed (`failed_at`: Slack refused it MAX_REFUSALS
 * times); nothing is ever deleted (service_user has no DELETE).
 */

export interface PendingMessage {
  id: number;
  channel: string;
  text: string;
  attempts: number;
}

type Db = Pick<Connection, 'query'>;

/** Refusals (channel_not_found...) a message gets before it is failed: a channel created or the bot invited soon after still gets it. */
export const MAX_REFUSALS = 3;

const PENDING = 'delivered_at IS NULL AND failed_at IS NULL';

/** Up to `limit` pending messages after id `after`, oldest first, leaving out `skipChannels`. */
export async function pendingMessages(db: Db, after: number, limit: number, skipChannels: readonly string[] = []): Promise<PendingMessage[]> {
  const skip = skipChannels.length === 0 ? '' : 'AND channel NOT IN (?)';
  const rows = await select<{ id: number; channel: string; text: string; attempts: number }>(
    db,
    `SELECT id, channel, text, attempts FROM monitor_notification WHERE ${PENDING} AND id > ? ${skip} ORDER BY id LIMIT ${Number(limit)}`,
    skipChannels.length === 0 ? [after] : [after, skipChannels],
  );
  return rows.map((row) => ({ id: Number(row.id), channel: row.channel, text: row.text, attempts: Number(row.attempts) }));
}

export async function countPending(db: Db): Promise<number> {
  const [row] = await select<{ n: unknown }>(db, `SELECT COUNT(*) AS n FROM monitor_notification WHERE ${PENDING}`);
  return Number(row?.n ?? 0);
}

export interface FailedMessages {
  count: number;
  /** The most recently failed one. */
  last: { id: number; channel: string; reason: string | null; at: unknown } | null;
}

/** What GET /health shows of the messages Slack refused for good. */
export async function readFailed(db: Db): Promise<FailedMessages> {
  const [count] = await select<{ n: unknown }>(db, 'SELECT COUNT(*) AS n FROM monitor_notification WHERE failed_at IS NOT NULL');
  const [last] = await select<{ id: number; channel: string; last_error: string | null; failed_at: unknown }>(
    db,
    'SELECT id, channel, last_error, failed_at FROM monitor_notification WHERE failed_at IS NOT NULL ORDER BY failed_at DESC, id DESC LIMIT 1',
  );
  return {
    count: Number(count?.n ?? 0),
    last: last === undefined ? null : { id: Number(last.id), channel: last.channel, reason: last.last_error, at: last.failed_at },
  };
}

export async function markDelivered(db: Db, id: number, via: string): Promise<void> {
  await db.query(
    `UPDATE monitor_notification
     SET delivered_at = UTC_TIMESTAMP(), delivered_via = ?, attempts = attempts + 1, last_attempt_at = UTC_TIMESTAMP(), last_error = NULL
     WHERE id = ? AND delivered_at IS NULL`,
    [via, id],
  );
}

/** A failed attempt worth repeating (Slack down, rate limiting, a wrong URL): the message stays pending. */
export async function markKept(db: Db, id: number, reason: string): Promise<void> {
  await db.query(
    'UPDATE monitor_notification SET attempts = attempts + 1, last_attempt_at = UTC_TIMESTAMP(), last_error = ? WHERE id = ?',
    [reason.slice(0, 255), id],
  );
}

/**
 * Records a refusal for good of message `id`, and, when `channel` is given,
 * of every pending message to that channel: Slack would answer them the
 * same, so they are charged without asking it again. A message reaching
 * MAX_REFUSALS is failed. Returns how many were charged and how many failed now.
 */
export async function markRefused(db: Db, id: number, channel: string | null, reason: string): Promise<{ charged: number; failed: number }> {
  const where = `${PENDING} AND (id = ? OR channel = ?)`;
  const rows = await select<{ refusals: unknown }>(db, `SELECT COALESCE(refusals, 0) AS refusals FROM monitor_notification WHERE ${where}`, [id, channel]);
  // failed_at first: MariaDB assigns left to right, so it still sees the old count.
  await db.query(
    `UPDATE monitor_notification
     SET failed_at = IF(COALESCE(refusals, 0) + 1 >= ?, UTC_TIMESTAMP(), NULL), refusals = COALESCE(refusals, 0) + 1,
       attempts = attempts + (id = ?), last_attempt_at = IF(id = ?, UTC_TIMESTAMP(), last_attempt_at), last_error = ?
     WHERE ${where}`,
    [MAX_REFUSALS, id, id, reason.slice(0, 255), id, channel],
  );
  return { charged: rows.length, failed: rows.filter((row) => Number(row.refusals) + 1 >= MAX_REFUSALS).length };
}
