import type { Logger } from 'pino';

/** Waits `ms`, or less when `signal` aborts (it resolves then, never rejects). */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** Milliseconds since the epoch; tests pass a fake one. */
export type Clock = () => number;

/** The logger the monitor writes to (pino in production, pino on a test stream in tests). */
export type MonitorLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

export const realClock: Clock = () => Date.now();

/** One line about an error, without a stack, SQL or parameters (mysql2 errors carry the SQL). */
export function describeError(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const { code, sqlMessage, message } = error as { code?: unknown; sqlMessage?: unknown; message?: unknown };
  const text = typeof sqlMessage === 'string' ? sqlMessage : typeof message === 'string' ? message : '';
  if (typeof code === 'string' && text !== '' && !text.includes(code)) return `${code}: ${text}`;
  return text || (typeof code === 'string' ? code : 'unknown error');
}
