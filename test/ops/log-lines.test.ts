import { describe, expect, it } from 'vitest';
import { LogLineSplitter, parseSince, type LogStream } from '../../src/ops/log-lines.js';

const frame = (stream: 1 | 2, text: string | Buffer) => {
  const payload = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
};

function collect(framed = true) {
  const lines: [LogStream, string][] = [];
  const splitter = new LogLineSplitter((s, l) => lines.push([s, l]), framed);
  return { lines, splitter };
}

describe('LogLineSplitter: the Engine API log stream to lines', () => {
  it('separates stdout and stderr frames into lines', () => {
    const { lines, splitter } = collect();
    splitter.push(Buffer.concat([frame(1, 'one\ntwo\n'), frame(2, 'oops\n'), frame(1, 'three\n')]));
    splitter.end();
    expect(lines).toEqual([['stdout', 'one'], ['stdout', 'two'], ['stderr', 'oops'], ['stdout', 'three']]);
  });

  it('joins a line split across frames and chunks, and a character split across chunks', () => {
    const { lines, splitter } = collect();
    const all = Buffer.concat([frame(1, 'hal'), frame(2, 'err\n'), frame(1, Buffer.from('lo wörld\n'))]);
    for (let i = 0; i < all.length; i += 3) splitter.push(all.subarray(i, i + 3));
    splitter.end();
    expect(lines).toEqual([['stderr', 'err'], ['stdout', 'hallo wörld']]);
  });

  it('keeps an unfinished last line, drops CR, and takes a TTY log as plain stdout', () => {
    const { lines, splitter } = collect(false);
    splitter.push(Buffer.from('a\r\nb'));
    splitter.end();
    expect(lines).toEqual([['stdout', 'a'], ['stdout', 'b']]);
  });
});

describe('parseSince', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  it.each([
    ['10m', now / 1000 - 600],
    ['1h30m', now / 1000 - 5400],
    ['2d', now / 1000 - 172_800],
    ['1767225600', 1_767_225_600],
    ['2026-01-01T11:00:00Z', now / 1000 - 3600],
    ['2026-01-01', Date.parse('2026-01-01') / 1000],
  ])('%s', (value, seconds) => {
    expect(parseSince(value, now)).toBe(seconds);
  });

  it.each(['5x', 'yesterday', '', '10 m'])('refuses %j', (value) => {
    expect(parseSince(value, now)).toBeUndefined();
  });
});
