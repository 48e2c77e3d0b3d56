import { describeError, type MonitorLogger, type Sleep } from './clock.js';

export interface LoopOptions {
  /** One poll; a throw is a failed poll, never the end of the loop. */
  poll: (signal: AbortSignal) => Promise<unknown>;
  intervalMs: number;
  sleep: Sleep;
  logger: MonitorLogger;
  /** Aborting it ends the loop after the current step (SIGTERM). */
  signal: AbortSignal;
  /** Told about every failed poll (the poller keeps it for the status row). */
  onError?: (error: unknown) => void;
  /** First wait after a failed poll; it doubles per failure, up to intervalMs. Default 5 s. */
  firstRetryMs?: number;
}

/**
 * Polls at once, then every `intervalMs` after the previous poll ended,
 * until `signal` aborts. A failed poll (database down, schema missing, a
 * bug) is logged with its reason and retried sooner, backing off: the loop
 * itself never throws.
 */
export async function runLoop(options: LoopOptions): Promise<void> {
  const { poll, intervalMs, sleep, logger, signal, onError, firstRetryMs = 5_000 } = options;
  let failures = 0;
  while (!signal.aborted) {
    let delay = intervalMs;
    try {
      await poll(signal);
      if (failures > 0) logger.info({ failedPolls: failures }, 'poll succeeded again');
      failures = 0;
    } catch (error) {
      failures += 1;
      delay = Math.min(intervalMs, firstRetryMs * 2 ** Math.min(failures - 1, 20));
      try {
        logger.error({ reason: describeError(error), failedPolls: failures, retryInSeconds: delay / 1000 }, 'poll failed; the monitor keeps going');
        onError?.(error);
      } catch {
        // Reporting a failure must not end the loop either.
      }
    }
    if (signal.aborted) break;
    await sleep(delay, signal);
  }
}
