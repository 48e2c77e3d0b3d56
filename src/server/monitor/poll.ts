import type { Pool } from 'mysql2/promise';
import { schemaVersion } from '../db/migrations.js';
import { describeError, type Clock, type MonitorLogger } from './clock.js';
import { deliverPending } from './deliver.js';
import { tryPollLock } from './db.js';
import { applyEvaluation, observe, openEpisodes } from './repository.js';
import { evaluate, type RuleSettings } from './rules.js';
import type { MessageSender } from './slack.js';
import { recordPoll } from './status.js';

/** The schema version that has the monitor's tables (migration 2) and failed messages (3). */
export const MONITOR_SCHEMA_VERSION = 3;

export interface PollerDeps {
  /** Logged in as service_user. */
  pool: Pool;
  database: string;
  sender: MessageSender;
  logger: MonitorLogger;
  rules: RuleSettings;
  pollIntervalMs: number;
  host: string;
  now: Clock;
}

export interface PollSummary {
  skipped: boolean;
  activeRuns: number;
  lostRuns: number;
  disappearingDags: number;
  failingNodes: number;
  sent: number;
  failed: number;
}

export interface Poller {
  /** One poll: read, decide, store, deliver, record. Throws on a database fault. */
  poll(signal?: AbortSignal): Promise<PollSummary>;
  /** Remembers a fault (e.g. of a failed poll) for the next status record. */
  noteError(error: unknown): void;
}

const SKIPPED: PollSummary = { skipped: true, activeRuns: 0, lostRuns: 0, disappearingDags: 0, failingNodes: 0, sent: 0, failed: 0 };

export function createPoller(deps: PollerDeps): Poller {
  const { logger } = deps;
  const startedAt = new Date(deps.now());
  let lastError: { message: string; at: Date } | undefined;
  const noteError = (error: unknown) => {
    lastError = { message: typeof error === 'string' ? error : describeError(error), at: new Date(deps.now()) };
  };

  async function pollOn(connection: Awaited<ReturnType<Pool['getConnection']>>, signal?: AbortSignal): Promise<PollSummary> {
    const began = deps.now();
    const version = await schemaVersion(connection);
    if (version < MONITOR_SCHEMA_VERSION) {
      throw new Error(`the schema is at version ${version} and the monitor needs ${MONITOR_SCHEMA_VERSION}: run jobmon-server initdb`);
    }
    const release = await tryPollLock(connection, deps.database);
    if (release === undefined) {
      logger.info('another monitor is polling this database; skipping this poll');
      return SKIPPED;
    }
    try {
      const { now, observation } = await observe(connection);
      const evaluation = evaluate(await openEpisodes(connection), observation, now, deps.rules);
      await applyEvaluation(connection, evaluation);
      for (const alert of evaluation.alerts) logger.info({ kind: alert.kind, channel: alert.channel, text: alert.text }, 'new finding queued for Slack');
      const count = (kind: string) => evaluation.alerts.filter((a) => a.kind === kind).reduce((n, a) => n + a.episodes.length, 0);
      const delivery = await deliverPending(connection, deps.sender, logger, signal);
      if (delivery.error !== undefined) noteError(`Slack: ${delivery.error}`);
      const summary: PollSummary = {
        skipped: false,
        activeRuns: observation.activeRuns.length,
        lostRuns: count('lost_run'),
        disappearingDags: count('dag'),
        failingNodes: count('nodes'),
        sent: delivery.sent,
        failed: delivery.failed,
      };
      await recordPoll(connection, {
        host: deps.host,
        startedAt,
        slack: deps.sender.via === 'slack' ? 'on' : 'off',
        pollIntervalMs: deps.pollIntervalMs,
        lossThresholdMs: deps.rules.lossThresholdMs,
        durationMs: deps.now() - began,
        ...summary,
        messagesSent: delivery.sent,
        lastError,
      });
      lastError = undefined;
      logger.debug(summary, 'poll completed');
      return summary;
    } finally {
      await release();
    }
  }

  return {
    noteError,
    async poll(signal) {
      const connection = await deps.pool.getConnection();
      try {
        const summary = await pollOn(connection, signal);
        connection.release();
        return summary;
      } catch (error) {
        // The session may be broken (a lost connection): never hand it back to the pool.
        connection.destroy();
        throw error;
      }
    },
  };
}
