import type { Statement } from './seed-v1.js';

/**
 * Migration 2: the monitor's own tables. The monitor logs in as service_user
 * (SELECT, INSERT, UPDATE; no DELETE), so nothing here is ever deleted: an
 * episode ends by getting `ended_at`, a message is done when it gets
 * `delivered_at`, and the status is one row that is only updated. Like the
 * Jobmon tables, no column has a DDL default; the monitor writes every value.
 */

const TABLE_OPTIONS = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';

/** The monitor's tables, in creation order. */
export const MONITOR_TABLES = ['monitor_notification', 'monitor_episode', 'monitor_status'] as const;

const TABLES = [
  // The outbox: a message is written in the same transaction as the finding
  // (and the run marked E), then delivered; undelivered ones are retried.
  `CREATE TABLE IF NOT EXISTS monitor_notification (
  id INT NOT NULL AUTO_INCREMENT,
  kind VARCHAR(16) NOT NULL,
  channel VARCHAR(150) NOT NULL,
  text TEXT NOT NULL,
  created_at DATETIME NOT NULL,
  attempts INT NOT NULL,
  last_attempt_at DATETIME,
  last_error VARCHAR(255),
  delivered_at DATETIME,
  delivered_via VARCHAR(8),
  PRIMARY KEY (id),
  INDEX ix_monitor_notification_pending (delivered_at, id)
)`,
  // One row per episode (a lost run, a disappearing DAG, a failing node):
  // open while ended_at is NULL, so each is announced once, restarts included.
  `CREATE TABLE IF NOT EXISTS monitor_episode (
  id INT NOT NULL AUTO_INCREMENT,
  kind VARCHAR(16) NOT NULL,
  subject VARCHAR(150) NOT NULL,
  started_at DATETIME NOT NULL,
  ended_at DATETIME,
  notification_id INT,
  PRIMARY KEY (id),
  INDEX ix_monitor_episode_open (ended_at, kind, subject),
  FOREIGN KEY (notification_id) REFERENCES monitor_notification (id)
)`,
  // The last completed poll, read by GET /health and jobmon-ops status.
  `CREATE TABLE IF NOT EXISTS monitor_status (
  id TINYINT NOT NULL,
  host VARCHAR(150),
  started_at DATETIME,
  slack VARCHAR(8),
  poll_interval_s INT,
  loss_threshold_s INT,
  polls INT NOT NULL,
  last_poll_at DATETIME,
  last_poll_ms INT,
  active_runs INT,
  lost_runs INT,
  disappearing_dags INT,
  failing_nodes INT,
  messages_sent INT,
  last_error VARCHAR(500),
  last_error_at DATETIME,
  PRIMARY KEY (id)
)`,
].map((ddl) => `${ddl} ${TABLE_OPTIONS}`);

/** Every statement of migration 2; idempotent, like migration 1. */
export const SCHEMA_V2_MONITOR: readonly Statement[] = [
  ...TABLES.map((ddl): Statement => [ddl]),
  ['INSERT IGNORE INTO monitor_status (id, polls) VALUES (1, 0)'],
];
