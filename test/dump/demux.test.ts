import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { DemuxStdout } from '../../src/dump/demux.js';

const frame = (stream: number, payload: string) => {
  const body = Buffer.from(payload);
  const head = Buffer.alloc(8);
  head[0] = stream;
  head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body]);
};

describe('DemuxStdout', () => {
  const raw = Buffer.concat([frame(1, 'SELECT 1;\n'), frame(2, 'warning: x\n'), frame(1, ''), frame(1, 'ünï😀\n'), frame(2, 'error: y\n'), frame(1, '-- Dump completed\n')]);

  it.each([1, 3, 7, 8, 9, raw.length])('passes stdout on and keeps stderr, in chunks of %i bytes', async (size) => {
    const chunks: Buffer[] = [];
    for (let at = 0; at < raw.length; at += size) chunks.push(raw.subarray(at, at + size));
    const demux = new DemuxStdout();
    const out = await text(Readable.from(chunks).pipe(demux));
    expect(out).toBe('SELECT 1;\nünï😀\n-- Dump completed\n');
    expect(demux.stderr).toBe('warning: x\nerror: y\n');
  });

  it('fails on a stream that ends inside a frame', async () => {
    const demux = new DemuxStdout();
    await expect(text(Readable.from([raw.subarray(0, raw.length - 3)]).pipe(demux))).rejects.toThrow(/in the middle of a frame/);
  });

  it('keeps only the last bytes of a long stderr', () => {
    const demux = new DemuxStdout(10);
    demux.write(Buffer.concat([frame(2, 'aaaaaaaaaa'), frame(2, 'bbbbbbbbbb'), frame(2, 'cc')]));
    expect(demux.stderr).toBe('bbbbbbbbbbcc');
  });
});
