import { Transform, type TransformCallback } from 'node:stream';
import { FrameDecoder } from '../util/engine-frames.js';

/**
 * Splits the Engine API's multiplexed exec stream (no TTY, see FrameDecoder).
 * Stdout passes on as this stream's output, with backpressure; stderr is kept
 * (at least its last `keep` bytes) for the error message.
 */
export class DemuxStdout extends Transform {
  readonly #frames = new FrameDecoder((stream, payload) => this.#emit(stream, payload));
  #stderr: Buffer[] = [];
  #stderrBytes = 0;
  readonly #keep: number;

  constructor(keep = 64 * 1024) {
    super();
    this.#keep = keep;
  }

  /** What the process wrote to stderr (its last bytes). */
  get stderr(): string {
    return Buffer.concat(this.#stderr).toString('utf8');
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#frames.push(chunk);
    done();
  }

  override _flush(done: TransformCallback): void {
    done(this.#frames.midFrame ? new Error('the engine closed the stream in the middle of a frame') : null);
  }

  #emit(stream: number, payload: Buffer): void {
    if (stream === 2) {
      this.#stderr.push(Buffer.from(payload));
      this.#stderrBytes += payload.length;
      // Whole frames are dropped while what stays still holds the last `keep` bytes.
      while (this.#stderr.length > 1 && this.#stderrBytes - this.#stderr[0]!.length >= this.#keep) this.#stderrBytes -= this.#stderr.shift()!.length;
    } else if (stream === 1) {
      this.push(payload);
    }
  }
}
