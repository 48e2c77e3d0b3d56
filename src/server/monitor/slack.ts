import { LogLevel, WebClient, type Logger as SlackLibLogger } from '@slack/web-api';
import type { Secret } from '../secret.js';
import type { Clock, MonitorLogger, Sleep } from './clock.js';
import { classify, type RefusalScope } from './slack-errors.js';

export type { RefusalScope } from './slack-errors.js';

/**
 * What became of one message. `stopPass`: Slack is down, refusing us or rate
 * limiting: try the rest later. `refused`: Slack refused it for good, and
 * for which messages that holds (see slack-errors.ts); absent: worth retrying.
 */
export type SendOutcome = { status: 'sent' } | { status: 'failed'; reason: string; stopPass: boolean; refused?: RefusalScope };

export interface MessageSender {
  readonly via: 'slack' | 'log';
  send(channel: string, text: string, signal?: AbortSignal): Promise<SendOutcome>;
}

export interface SlackSenderOptions {
  token: Secret;
  /** The Web API base, ending in `/`. */
  apiUrl: string;
  logger: MonitorLogger;
  sleep: Sleep;
  now: Clock;
  /** Per request; default 10 s. */
  timeoutMs?: number;
  /** Waits before the 2nd, 3rd... attempt after a 5xx, timeout or network error; default 1 s, 2 s. */
  backoffMs?: readonly number[];
  /** A longer Retry-After is not waited out in the poll: sending pauses until then. Default 60 s. */
  maxRetryAfterMs?: number;
}

/** Routes the library's own log lines to ours at debug level (it redacts tokens; we never log the client). */
function libraryLogger(logger: MonitorLogger): SlackLibLogger {
  const line = (...parts: unknown[]) => logger.debug({ component: 'slack-web-api' }, parts.map(String).join(' '));
  return { debug: line, info: line, warn: line, error: line, setLevel: () => undefined, getLevel: () => LogLevel.DEBUG, setName: () => undefined };
}

/**
 * Posts with Slack's Web API `chat.postMessage` (`Authorization: Bearer`).
 * The library speaks the protocol and turns each failure into a typed error;
 * the waiting is ours, through the injected sleep and clock, so that a long
 * Retry-After never holds up polling and tests run on fake time.
 */
export function createSlackSender(options: SlackSenderOptions): MessageSender {
  const { logger, sleep, now, timeoutMs = 10_000, backoffMs = [1_000, 2_000], maxRetryAfterMs = 60_000 } = options;
  const client = new WebClient(options.token.reveal(), {
    slackApiUrl: options.apiUrl,
    timeout: timeoutMs,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logger: libraryLogger(logger),
  });
  let pausedUntil = 0;

  return {
    via: 'slack',
    async send(channel, text, signal) {
      for (let attempt = 1; ; attempt++) {
        // Shutting down during a pause: do not start another request.
        if (attempt > 1 && signal?.aborted) return { status: 'failed', reason: 'the monitor is stopping', stopPass: true };
        const wait = pausedUntil - now();
        if (wait > 0) return { status: 'failed', reason: `Slack asked us to wait ${Math.ceil(wait / 1000)} s more (HTTP 429)`, stopPass: true };
        try {
          await client.chat.postMessage({ channel, text });
          return { status: 'sent' };
        } catch (error) {
          const failure = classify(error, timeoutMs);
          const last = attempt > backoffMs.length || signal?.aborted === true;
          if (failure.kind === 'rate_limited') {
            pausedUntil = now() + failure.retryAfterMs;
            logger.warn({ channel, retryAfterS: failure.retryAfterMs / 1000, attempt }, 'Slack rate limit (HTTP 429): waiting as Retry-After says');
            if (last || failure.retryAfterMs > maxRetryAfterMs) {
              return { status: 'failed', reason: `Slack rate limit (HTTP 429, Retry-After ${failure.retryAfterMs / 1000} s)`, stopPass: true };
            }
            await sleep(failure.retryAfterMs, signal);
            continue;
          }
          if (failure.kind === 'refused') {
            const { reason, stopPass, scope } = failure;
            return scope === undefined ? { status: 'failed', reason, stopPass } : { status: 'failed', reason, stopPass, refused: scope };
          }
          if (last) return { status: 'failed', reason: failure.reason, stopPass: true };
          logger.warn({ channel, reason: failure.reason, attempt }, 'Slack did not take the message; retrying after a pause');
          await sleep(backoffMs[attempt - 1]!, signal);
        }
      }
    },
  };
}

/** Without SLACK_TOKEN: each message goes to the log, and counts as delivered there. */
export function createLogSender(logger: MonitorLogger): MessageSender {
  return {
    via: 'log',
    async send(channel, text) {
      logger.info({ channel, text }, 'Slack is off (no SLACK_TOKEN): message logged instead of sent');
      return { status: 'sent' };
    },
  };
}
