import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, readSync, rmSync } from 'node:fs';
import { link, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { createGzip } from 'node:zlib';
import { isCompleteDump } from './format.js';

/** What a finished write says about the file. */
export interface SinkResult {
  /** Bytes of SQL the client produced (before compression). */
  sqlBytes: number;
  /** Bytes of the file as written. */
  bytes: number;
  sha256: string;
  /** The SQL ends with the dump-completed marker. */
  complete: boolean;
}

export interface DumpSink {
  /** The temporary file's descriptor: a client writes plain SQL straight into it (see `follow`). */
  readonly fd: number;
  /** Streams `source` (the client's SQL) through Node into the temporary file, gzipped if asked. */
  write(source: Readable): Promise<SinkResult>;
  /** While a client writes into `fd`, reads behind it (hash, size, tail) until `exited` settles and the end is read. */
  follow(exited: Promise<unknown>): Promise<SinkResult>;
  /** Flushes the temporary file to disk and gives it its final name; without `replace`, an existing file there fails it (EEXIST). */
  commit(replace: boolean): Promise<void>;
  /** Removes the temporary file; nothing is left behind. */
  discard(): Promise<void>;
}

const TAIL_BYTES = 512;
/** `follow` reads behind the client in chunks this big: they stay in the CPU's cache between the copy and the hash. */
const READ_CHUNK = 512 << 10;
/**
 * `follow` flushes the file to disk every so many bytes while the client
 * writes, so the fsync before the rename finds little left. Measured from
 * the client's exit to ours (fsync, rename, exit): about 60 ms at 16 MB,
 * about 35 ms at 8 MB, hardly less below, where each flush's journal commit
 * starts to add up (bench/results/dump.md).
 */
const SYNC_EVERY = 8 << 20;

/** Keeps the running hash, sizes and last bytes of what passes. */
function meter(onProgress?: (sqlBytes: number) => void) {
  let sqlBytes = 0;
  let bytes = 0;
  let tail = Buffer.alloc(0);
  const hash = createHash('sha256');
  return {
    /** SQL as the client made it (copied: the caller may reuse the buffer). */
    sql(chunk: Buffer) {
      sqlBytes += chunk.length;
      tail = chunk.length >= TAIL_BYTES ? Buffer.from(chunk.subarray(-TAIL_BYTES)) : Buffer.concat([tail, chunk]).subarray(-TAIL_BYTES);
      onProgress?.(sqlBytes);
    },
    /** Bytes as they land in the file. */
    file(chunk: Buffer) {
      bytes += chunk.length;
      hash.update(chunk);
    },
    result: (): SinkResult => ({ sqlBytes, bytes, sha256: hash.digest('hex'), complete: isCompleteDump(tail.toString('latin1')) }),
  };
}

/** A pass-through stream that shows each chunk to `see`. */
function tap(see: (chunk: Buffer) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      see(chunk);
      done(null, chunk);
    },
  });
}

/** A file system without hard links (some network ones): no atomic no-replace, so check, then rename. */
async function noLinks(error: NodeJS.ErrnoException, temp: string, file: string): Promise<void> {
  if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS'].includes(error.code ?? '') || existsSync(file)) throw error;
  await rename(temp, file);
}

/**
 * A dump file in the making: `.<name>.<random>.part` beside `file` (mode
 * 0600: a dump holds all of Jobmon's data), renamed to `file` only by
 * `commit`. A process exit before that removes the temporary file.
 */
export async function openDumpSink(file: string, options: { gzip: boolean; onProgress?: (sqlBytes: number) => void }): Promise<DumpSink> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.part`);
  // Read and write: a client writes through `fd` while `follow` reads behind it.
  const handle = await open(temp, 'wx+', 0o600);
  const removeNow = () => rmSync(temp, { force: true });
  process.once('exit', removeNow);
  let closed = false;
  const close = async () => {
    if (!closed) await handle.close();
    closed = true;
  };
  return {
    fd: handle.fd,
    async write(source) {
      const m = meter(options.onProgress);
      const stages = options.gzip ? [tap(m.sql), createGzip(), tap(m.file)] : [tap((c) => (m.sql(c), m.file(c)))];
      // A stream of its own on the file: one made from `handle` would keep it from closing.
      await pipeline([source, ...stages, createWriteStream(temp, { flags: 'r+', highWaterMark: 1 << 20 })]);
      return m.result();
    },
    async follow(exited) {
      const m = meter(options.onProgress);
      let done = false;
      const over = exited.then(() => (done = true), () => (done = true));
      const buffer = Buffer.allocUnsafe(READ_CHUNK);
      // Flushing as the file grows spreads the disk writes over the dump, so the fsync of `commit` finds little left.
      let synced = 0;
      let syncing: Promise<void> | undefined;
      for (let position = 0; ; ) {
        const finished = done;
        // Synchronous: the bytes were just written, so this is a copy out of the page cache (and often the CPU's cache),
        // about half the CPU time of a read through the thread pool (bench/results/dump.md). Hashed at once, in this thread.
        const bytesRead = readSync(handle.fd, buffer, 0, buffer.length, position);
        if (bytesRead > 0) {
          m.sql(buffer.subarray(0, bytesRead));
          m.file(buffer.subarray(0, bytesRead));
          position += bytesRead;
          if (!syncing && position - synced >= SYNC_EVERY) {
            synced = position;
            syncing = handle.datasync().catch(() => undefined).finally(() => (syncing = undefined));
          }
          // Let signals (Ctrl-C) and the flush's completion through between chunks.
          await new Promise<void>((resolve) => setImmediate(resolve));
        } else if (finished) {
          await syncing;
          return m.result();
        } else {
          await Promise.race([sleep(20), over]);
        }
      }
    },
    async commit(replace) {
      await handle.sync();
      await close();
      // link() never replaces: a file that appeared since the check is kept, and this fails with EEXIST.
      if (replace) await rename(temp, file);
      else await link(temp, file).then(() => rm(temp, { force: true }), (error: NodeJS.ErrnoException) => noLinks(error, temp, file));
      process.off('exit', removeNow);
    },
    async discard() {
      await close().catch(() => undefined);
      await rm(temp, { force: true });
      process.off('exit', removeNow);
    },
  };
}
