/**
 * The Engine API's multiplexed stream (logs and exec without a TTY): each
 * frame is 8 header bytes (byte 0 the stream, 1 = stdout and 2 = stderr; bytes
 * 4-7 the payload's big-endian length) and then its payload. A frame may span
 * chunks and a chunk may hold many frames; each payload piece is handed on as
 * soon as it arrives, with the stream it belongs to.
 */
export class FrameDecoder {
  #pending: Buffer = Buffer.alloc(0);
  /** Bytes of the current frame's payload still to come, and its stream. */
  #left = 0;
  #stream = 0;

  constructor(private readonly onPayload: (stream: number, payload: Buffer) => void) {}

  push(chunk: Buffer): void {
    let data = this.#pending.length > 0 ? Buffer.concat([this.#pending, chunk]) : chunk;
    this.#pending = Buffer.alloc(0);
    while (data.length > 0) {
      if (this.#left === 0) {
        if (data.length < 8) {
          this.#pending = Buffer.from(data);
          return;
        }
        this.#stream = data[0]!;
        this.#left = data.readUInt32BE(4);
        data = data.subarray(8);
        continue;
      }
      const take = Math.min(this.#left, data.length);
      this.onPayload(this.#stream, data.subarray(0, take));
      this.#left -= take;
      data = data.subarray(take);
    }
  }

  /** The stream stopped inside a frame (its header or its payload). */
  get midFrame(): boolean {
    return this.#left > 0 || this.#pending.length > 0;
  }
}
