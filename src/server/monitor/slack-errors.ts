import { WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError } from '@slack/web-api';

/**
 * How a failed `chat.postMessage` is handled. `ok: false` is Slack's
 * considered answer, so it is a refusal (bounded tries, then the message is
 * failed) unless its code names trouble on Slack's side. A refusal's scope
 * says what else it applies to: this message, every message to the same
 * channel, or every message at all (the token).
 */
export type RefusalScope = 'message' | 'channel' | 'token';

export type Failure =
  | { kind: 'rate_limited'; retryAfterMs: number }
  | { kind: 'retryable'; reason: string }
  /** Not retried within this send; `scope` set: Slack refused for good, undefined: our setup is wrong (bad URL). */
  | { kind: 'refused'; reason: string; stopPass: boolean; scope: RefusalScope | undefined };

/** Slack could not handle it this time: retried like a 5xx. */
const TRANSIENT_CODES = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited', 'rate_limited', 'team_added_to_org']);
/** No message to this channel can get through until someone fixes the channel. */
const CHANNEL_CODES = new Set(['channel_not_found', 'not_in_channel', 'is_archived', 'restricted_action']);
/** No message at all can get through with this token (bad, revoked or under-scoped). */
const TOKEN_CODES = new Set(['not_authed', 'invalid_auth', 'account_inactive', 'token_revoked', 'token_expired', 'no_permission', 'missing_scope']);

function classifyPlatform(code: string): Failure {
  const reason = `Slack answered ok:false (${code})`;
  if (TRANSIENT_CODES.has(code)) return { kind: 'retryable', reason };
  if (TOKEN_CODES.has(code)) return { kind: 'refused', reason, stopPass: true, scope: 'token' };
  return { kind: 'refused', reason, stopPass: false, scope: CHANNEL_CODES.has(code) ? 'channel' : 'message' };
}

export function classify(error: unknown, timeoutMs: number): Failure {
  if (error instanceof WebAPIRateLimitedError) return { kind: 'rate_limited', retryAfterMs: error.retryAfter * 1000 };
  if (error instanceof WebAPIPlatformError) return classifyPlatform(String(error.data.error));
  if (error instanceof WebAPIHTTPError) {
    const reason = `Slack answered HTTP ${error.statusCode}`;
    // Any other 4xx is our setup (a wrong SLACK_API_URL), not the message: kept, and the pass stops.
    if (error.statusCode >= 500 || error.statusCode === 408) return { kind: 'retryable', reason };
    return { kind: 'refused', reason, stopPass: true, scope: undefined };
  }
  if (error instanceof WebAPIRequestError) {
    const original = error.original as Error & { cause?: { code?: string } };
    const reason = original.name === 'TimeoutError' ? `no answer from Slack within ${timeoutMs / 1000} s` : `cannot reach Slack (${original.cause?.code ?? original.message})`;
    return { kind: 'retryable', reason };
  }
  return { kind: 'refused', reason: `Slack client error (${(error as Error)?.message ?? String(error)})`, stopPass: true, scope: undefined };
}
