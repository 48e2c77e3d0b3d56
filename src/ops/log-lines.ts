import { StringDecoder } from 'node:string_decoder';
import { FrameDecoder } from '../util/engine-frames.js';

export type LogStream = 'stdout' | 'stderr';

/**
 * Splits a container's log stream into lines, per stream. Without a TTY the
 * Engine API multiplexes stdout and stderr in frames (FrameDecoder); with
 * one, it is plain stdout.
 * A line may span frames and chunks, and a character may span both, so each
 * stream keeps its own decoder and unfinished line.
 */
export class LogLineSplitter {
  readonly #frames = new FrameDecoder((stream, payload) => this.#text(stream === 2 ? 'stderr' : 'stdout', payload));
  readonly #decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  readonly #partial = { stdout: '', stderr: '' };

  constructor(
    private readonly onLine: (stream: LogStream, line: string) => void,
    private readonly framed = true,
  ) {}

  push(chunk: Buffer): void {
    if (this.framed) this.#frames.push(chunk);
    else this.#text('stdout', chunk);
  }

  /** The stream ended: an unfinished last line is still a line. */
  end(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = this.#partial[stream] + this.#decoders[stream].end();
      this.#partial[stream] = '';
      if (rest !== '') this.onLine(stream, rest);
    }
  }

  #text(stream: LogStream, bytes: Buffer): void {
    const text = this.#partial[stream] + this.#decoders[stream].write(bytes);
    const lines = text.split('\n');
    this.#partial[stream] = lines.pop()!;
    for (const line of lines) this.onLine(stream, line.endsWith('\r') ? line.slice(0, -1) : line);
  }
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * `--since` as the Engine API wants it (UNIX seconds): a duration back from
 * `now` (`10m`, `1h30m`, `2d`), UNIX seconds, or a date/time (`2026-01-02`,
 * `2026-01-02T10:00:00Z`). Undefined when it is none of these.
 */
export function parseSince(value: string, now: number): number | undefined {
  const text = value.trim();
  if (/^(\d+[smhd])+$/.test(text)) {
    let ms = 0;
    for (const [, n, unit] of text.matchAll(/(\d+)([smhd])/g)) ms += Number(n) * UNIT_MS[unit!]!;
    return Math.floor((now - ms) / 1000);
  }
  if (/^\d+$/.test(text)) return Number(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.floor(at / 1000);
}
