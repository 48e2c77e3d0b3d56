import { describe, expect, it } from 'vitest';
import { byteProgress, wantsProgress } from '../../src/dump/progress.js';

/** A terminal-like stream that records what is written. */
const terminal = (columns: number) => {
  const writes: string[] = [];
  return { writes, stream: { isTTY: true, columns, write: (text: string) => writes.push(text) } as unknown as NodeJS.WriteStream };
};

describe('byte progress', () => {
  it('draws one line with a carriage return, cut to the width, and clears it at the end', () => {
    const { writes, stream } = terminal(20);
    const progress = byteProgress('dumping release-0.8.7', true, stream);
    progress.update(12_345_678);
    progress.stop();
    expect(writes).toEqual(['\r\x1b[2Kdumping release-0.8', '\r\x1b[2Kdumping release-0.8', '\r\x1b[2K']);
  });

  it('a terminal of width 0 (some pseudo-terminals) gets the whole line', () => {
    const { writes, stream } = terminal(0);
    byteProgress('x', true, stream).update(1500);
    expect(writes).toEqual(['\r\x1b[2Kx ...', '\r\x1b[2Kx 1.50 kB']);
  });

  it('only on a terminal, and not with --quiet, --json, CI, NO_COLOR or TERM=dumb', () => {
    const { stream } = terminal(80);
    expect(wantsProgress(stream, {}, {})).toBe(true);
    expect(wantsProgress(stream, { CI: 'false' }, {})).toBe(true);
    for (const env of [{ CI: '1' }, { NO_COLOR: '1' }, { TERM: 'dumb' }]) expect(wantsProgress(stream, env, {})).toBe(false);
    expect(wantsProgress(stream, {}, { quiet: true })).toBe(false);
    expect(wantsProgress(stream, {}, { json: true })).toBe(false);
    expect(wantsProgress({ ...stream, isTTY: false } as NodeJS.WriteStream, {}, {})).toBe(false);
  });
});
