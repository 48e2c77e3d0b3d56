import type { Connection } from 'mysql2/promise';
import type { MonitorLogger } from './clock.js';
import { markDelivered, markKept, markRefused, pendingMessages, MAX_REFUSALS } from './outbox.js';
import type { MessageSender } from './slack.js';

/**
 * One pass over the outbox. A message Slack could not take now (5xx, 429,
 * timeout, network) is kept for the next poll; one it refused for good is
 * charged a refusal and failed at MAX_REFUSALS, so no message holds up the
 * others for ever. A channel refused in this pass is skipped for the rest of
 * it (its messages are charged at once), so 50 messages to a missing channel
 * cost one request, not the pass's whole budget.
 */

export interface DeliveryResult {
  sent: number;
  /** Attempts that did not deliver (kept or refused). */
  failed: number;
  /** Messages that reached MAX_REFUSALS in this pass and will not be tried again. */
  givenUp: number;
  /** The reason of the last failure in this pass, if any. */
  error: string | undefined;
}

type Db = Pick<Connection, 'query'>;

/** Requests to Slack per pass, oldest message first; the rest wait for the next poll. */
export const PASS_REQUESTS = 50;
const PAGE_SIZE = 50;

/**
 * Sends pending messages in order. Stops early when Slack is down, rate
 * limiting or refusing the token (the rest would fail the same way), or when
 * `signal` aborts (shutdown). A database error propagates: the poll fails.
 */
export async function deliverPending(db: Db, sender: MessageSender, logger: MonitorLogger, signal?: AbortSignal): Promise<DeliveryResult> {
  const result: DeliveryResult = { sent: 0, failed: 0, givenUp: 0, error: undefined };
  const closedChannels = new Set<string>();
  let after = 0;
  let requests = 0;
  pass: while (requests < PASS_REQUESTS) {
    const page = await pendingMessages(db, after, PAGE_SIZE, [...closedChannels]);
    if (page.length === 0) break;
    for (const message of page) {
      if (signal?.aborted || requests >= PASS_REQUESTS) break pass;
      after = message.id;
      if (closedChannels.has(message.channel)) continue;
      requests += 1;
      const outcome = await sender.send(message.channel, message.text, signal);
      if (outcome.status === 'sent') {
        await markDelivered(db, message.id, sender.via);
        result.sent += 1;
        if (sender.via === 'slack') logger.info({ notification: message.id, channel: message.channel }, 'message delivered to Slack');
        continue;
      }
      result.failed += 1;
      result.error = outcome.reason;
      const context = { notification: message.id, channel: message.channel, reason: outcome.reason };
      if (outcome.refused === undefined) {
        await markKept(db, message.id, outcome.reason);
        logger.warn({ ...context, attempts: message.attempts + 1 }, 'message not delivered; kept for the next poll');
      } else {
        const wholeChannel = outcome.refused === 'channel';
        if (wholeChannel) closedChannels.add(message.channel);
        const { charged, failed } = await markRefused(db, message.id, wholeChannel ? message.channel : null, outcome.reason);
        result.givenUp += failed;
        logger.warn({ ...context, charged, failedNow: failed, maxRefusals: MAX_REFUSALS }, 'Slack refused the message for good; it fails after repeated refusals');
      }
      if (outcome.stopPass) break pass;
    }
  }
  return result;
}
