import type { Statement } from './seed-v1.js';

/**
 * Migration 3: a message Slack refuses for good (a missing channel, a bot
 * not in it, a revoked token...) ends in a failed state instead of being
 * retried forever, where it held a place in every pass (hardening 15).
 *
 * Both columns are nullable, without a DDL default like every other column:
 * a NULL `refusals` is none yet, and a monitor of the previous build, which
 * names neither column, can still queue messages during a redeploy overlap.
 * `IF NOT EXISTS` (MariaDB) keeps the step idempotent, which a migration
 * re-run after dying halfway needs. The index serves the pass's query: failed
 * messages stay undelivered for good, and must not be scanned every poll.
 */
export const SCHEMA_V3_OUTBOX_FAILED: readonly Statement[] = [
  [
    `ALTER TABLE monitor_notification
       ADD COLUMN IF NOT EXISTS refusals INT AFTER last_error,
       ADD COLUMN IF NOT EXISTS failed_at DATETIME AFTER delivered_via,
       ADD INDEX IF NOT EXISTS ix_monitor_notification_open (delivered_at, failed_at, id)`,
  ],
];
