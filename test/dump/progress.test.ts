import { describe, expect, it } from 'vitest';
import { byteProgress, wantsProgress } from '../../src/dump/progress.js';

/** A colour (SGR) escape sequence: `ESC [ <params> m`. */
const SGR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`);

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

  it('NO_COLOR is about colour: a terminal still gets the progress, and it has no colour codes', () => {
    const { writes, stream } = terminal(80);
    expect(wantsProgress(stream, { NO_COLOR: '1' }, {})).toBe(true);
    const progress = byteProgress('dumping', wantsProgress(stream, { NO_COLOR: '1' }, {}), stream);
    progress.update(2_000_000);
    progress.stop();
    expect(writes).toEqual(['\r\x1b[2Kdumping ...', '\r\x1b[2Kdumping 2.00 MB', '\r\x1b[2K']);
    // Only the erase-line control, never a colour (SGR, `ESC [ ... m`).
    expect(writes.join('')).not.toMatch(SGR);
    expect('\x1b[31mred\x1b[39m').toMatch(SGR); // the control: a coloured text is caught
  });

  it('a terminal of width 0 (some pseudo-terminals) gets the whole line', () => {
    const { writes, stream } = terminal(0);
    byteProgress('x', true, stream).update(1500);
    expect(writes).toEqual(['\r\x1b[2Kx ...', '\r\x1b[2Kx 1.50 kB']);
  });

  it('only on a terminal, and not with --quiet, --json, CI or TERM=dumb', () => {
    const { stream } = terminal(80);
    expect(wantsProgress(stream, {}, {})).toBe(true);
    expect(wantsProgress(stream, { CI: 'false' }, {})).toBe(true);
    for (const env of [{ CI: '1' }, { CI: '1', NO_COLOR: '1' }, { TERM: 'dumb' }]) expect(wantsProgress(stream, env, {})).toBe(false);
    expect(wantsProgress({ ...stream, isTTY: false } as NodeJS.WriteStream, { NO_COLOR: '1' }, {})).toBe(false);
    expect(wantsProgress(stream, {}, { quiet: true })).toBe(false);
    expect(wantsProgress(stream, {}, { json: true })).toBe(false);
    expect(wantsProgress({ ...stream, isTTY: false } as NodeJS.WriteStream, {}, {})).toBe(false);
  });
});
