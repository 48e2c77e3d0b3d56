import { describe, expect, it } from 'vitest';
import { realSleep } from '../../../src/server/monitor/clock.js';
import { runLoop } from '../../../src/server/monitor/loop.js';
import { collectLog } from '../../helpers/log-lines.js';

const MIN = 60_000;

/** A fake time line: sleep advances it and records each wait; the test stops the loop after `polls` polls. */
function harness(results: Array<'ok' | Error>) {
  const controller = new AbortController();
  const waits: number[] = [];
  const pollTimes: number[] = [];
  const errors: unknown[] = [];
  let now = 0;
  const log = collectLog();
  const poll = async () => {
    pollTimes.push(now);
    const result = results[pollTimes.length - 1];
    if (pollTimes.length >= results.length) controller.abort();
    if (result instanceof Error) throw result;
  };
  const sleep = async (ms: number) => {
    waits.push(ms);
    now += ms;
  };
  const run = () =>
    runLoop({ poll, intervalMs: 10 * MIN, sleep, logger: log.logger, signal: controller.signal, onError: (e) => errors.push(e) });
  return { run, waits, pollTimes, errors, log };
}

describe('monitor loop', () => {
  it('polls at start, then every interval', async () => {
    const h = harness(['ok', 'ok', 'ok']);
    await h.run();
    expect(h.pollTimes).toEqual([0, 10 * MIN, 20 * MIN]);
  });

  it('survives failing polls: logs each reason, retries sooner with back-off capped at the interval, then goes back to the interval', async () => {
    const down = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), { code: 'ECONNREFUSED', sql: 'SELECT secret' });
    const h = harness(['ok', down, down, down, down, down, down, down, 'ok', 'ok']);
    await h.run();
    expect(h.waits).toEqual([10 * MIN, 5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 10 * MIN]);
    expect(h.errors).toHaveLength(7);
    const failures = h.log.entries().filter((e) => e.msg === 'poll failed; the monitor keeps going');
    expect(failures).toHaveLength(7);
    expect(failures[0]).toMatchObject({ level: 50, reason: 'connect ECONNREFUSED 127.0.0.1:3306', failedPolls: 1, retryInSeconds: 5 });
    expect(h.log.lines.join('\n')).not.toContain('SELECT secret');
    expect(h.log.entries().some((e) => e.msg === 'poll succeeded again' && e.failedPolls === 7)).toBe(true);
  });

  it('goes on after any throw, even a non-Error, and never rejects', async () => {
    const h = harness([new TypeError('a bug'), 'ok']);
    await expect(h.run()).resolves.toBeUndefined();
    expect(h.pollTimes).toHaveLength(2);
  });

  it('stops promptly when aborted during its sleep (SIGTERM), with the real sleep', async () => {
    const controller = new AbortController();
    let polls = 0;
    const started = Date.now();
    const done = runLoop({
      poll: async () => void polls++,
      intervalMs: 10 * MIN,
      sleep: realSleep,
      logger: collectLog().logger,
      signal: controller.signal,
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    await done;
    expect(polls).toBe(1);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
