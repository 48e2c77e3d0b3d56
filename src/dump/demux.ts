import { Transform, type TransformCallback } from 'node:stream';

/**
 * Splits the Engine API's multiplexed exec stream (no TTY): each frame is 8
 * header bytes (stream 1 = stdout, 2 = stderr; then a big-endian length) and
 * its payload. Stdout passes on as this stream's output, with backpressure;
 * stderr is kept (at least its last `keep` bytes) for the error message.
 */
export class DemuxStdout extends Transform {
  #pending: Buffer = Buffer.alloc(0);
  /** Bytes of the current frame's payload still to come, and its stream. */
  #left = 0;
  #stream = 0;
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
    let data = this.#pending.length > 0 ? Buffer.concat([this.#pending, chunk]) : chunk;
    this.#pending = Buffer.alloc(0);
    while (data.length > 0) {
      if (this.#left === 0) {
        if (data.length < 8) {
          this.#pending = Buffer.from(data);
          break;
        }
        this.#stream = data[0]!;
        this.#left = data.readUInt32BE(4);
        data = data.subarray(8);
        continue;
      }
      const take = Math.min(this.#left, data.length);
      this.#emit(data.subarray(0, take));
      this.#left -= take;
      data = data.subarray(take);
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    done(this.#left > 0 || this.#pending.length > 0 ? new Error('the engine closed the stream in the middle of a frame') : null);
  }

  #emit(payload: Buffer): void {
    if (this.#stream === 2) {
      this.#stderr.push(Buffer.from(payload));
      this.#stderrBytes += payload.length;
      // Whole frames are dropped while what stays still holds the last `keep` bytes.
      while (this.#stderr.length > 1 && this.#stderrBytes - this.#stderr[0]!.length >= this.#keep) this.#stderrBytes -= this.#stderr.shift()!.length;
    } else if (this.#stream === 1) {
      this.push(payload);
    }
  }
}
