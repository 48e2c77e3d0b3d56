import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';

/** A stream whose reader went away: every write fails with `code`, as a closed pipe (EPIPE) or a gone terminal (EIO) does. */
function goneStream(code: string): Writable & { attempts: number } {
  const stream = new Writable({
    write(_chunk, _encoding, done) {
      stream.attempts++;
      done(Object.assign(new Error(`write ${code}`), { code }));
    },
  }) as Writable & { attempts: number };
  stream.attempts = 0;
  return stream;
}

describe('logger when its reader went away', () => {
  it.each(['EPIPE', 'EIO'])('%s: the lines are dropped, the process goes on (a rollback must still run)', async (code) => {
    const stderr = goneStream(code);
    const logger = createLogger({ stdout: goneStream(code), stderr });
    logger.warn('first line');
    await new Promise((resolve) => setImmediate(resolve));
    expect(stderr.attempts).toBe(1);
    expect(() => logger.warn('after the terminal went away')).not.toThrow();
    logger.error('and another');
    await new Promise((resolve) => setImmediate(resolve));
    expect(stderr.attempts).toBe(1);
  });
});
