import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { LogLineSplitter, type LogStream } from './log-lines.js';

export interface LogSource {
  service: string;
  id: string;
  /** A TTY container's log is not multiplexed. */
  tty: boolean;
}

export interface LogsInput {
  docker: Docker;
  sources: LogSource[];
  /** Prefix each line with `<service> | ` (several services). */
  prefix: boolean;
  tail?: number;
  follow: boolean;
  /** UNIX seconds. */
  since?: number;
  timestamps: boolean;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  /** Aborting ends a follow cleanly. */
  signal: AbortSignal;
}

function logOptions(input: LogsInput) {
  return {
    stdout: true,
    stderr: true,
    timestamps: input.timestamps,
    ...(input.tail === undefined ? {} : { tail: input.tail }),
    ...(input.since === undefined ? {} : { since: input.since }),
  };
}

function writer(input: LogsInput, source: LogSource) {
  const prefix = input.prefix ? `${source.service} | ` : '';
  return (stream: LogStream, line: string) => (stream === 'stderr' ? input.err : input.out).write(`${prefix}${line}\n`);
}

/** Without --follow: each service's log in turn (start order), demultiplexed to our stdout and stderr. */
async function printLogs(input: LogsInput): Promise<void> {
  for (const source of input.sources) {
    if (input.signal.aborted) return;
    const raw = (await input.docker.getContainer(source.id).logs({ ...logOptions(input), follow: false })) as unknown;
    const splitter = new LogLineSplitter(writer(input, source), !source.tty);
    splitter.push(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw)));
    splitter.end();
  }
}

/** With --follow: every service's stream at once, lines interleaved as they arrive, until all end or `signal` aborts. */
async function followLogs(input: LogsInput): Promise<void> {
  const streams = await Promise.all(
    input.sources.map(async (source) => ({
      source,
      stream: (await input.docker.getContainer(source.id).logs({ ...logOptions(input), follow: true })) as unknown as Readable,
    })),
  );
  const stopAll = () => {
    for (const { stream } of streams) stream.destroy();
  };
  input.signal.addEventListener('abort', stopAll, { once: true });
  try {
    await Promise.all(
      streams.map(
        ({ source, stream }) =>
          new Promise<void>((resolve, reject) => {
            const splitter = new LogLineSplitter(writer(input, source), !source.tty);
            const finish = () => {
              splitter.end();
              resolve();
            };
            stream.on('data', (chunk: Buffer) => splitter.push(chunk));
            stream.once('end', finish);
            stream.once('close', finish);
            stream.once('error', (error) => (input.signal.aborted ? finish() : reject(error)));
          }),
      ),
    );
  } finally {
    input.signal.removeEventListener('abort', stopAll);
    stopAll();
  }
}

/** A release's container logs, demultiplexed to `out`/`err`; resolves when done or, following, when stopped. */
export async function showLogs(input: LogsInput): Promise<void> {
  if (input.signal.aborted) return;
  await (input.follow ? followLogs(input) : printLogs(input));
}
