import path from 'node:path';
import type Docker from 'dockerode';
import { ProblemsFoundError, UsageError } from '../errors.js';
import { dumpArgs, type DbLogin } from './argv.js';
import { startClient } from './exec.js';
import { clientErrorLine, describeSystemError } from './format.js';
import { withOptionFile } from './option-file.js';
import { openDumpSink, type DumpSink, type SinkResult } from './sink.js';

/** How the dump runs: a local client, or the client inside the release's DB container. */
export type DumpVia = { kind: 'client'; file: string } | { kind: 'container'; docker: Docker; container: { id: string; name: string } };

export interface DumpInput {
  /** For a container: the address and port inside it. */
  login: DbLogin;
  database: string;
  out: string;
  gzip: boolean;
  /** Replace `out` if it exists (--force); else a file that appeared meanwhile is kept and the dump fails. */
  replace: boolean;
  via: DumpVia;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  onProgress?: (sqlBytes: number) => void;
}

export interface DumpResult extends SinkResult {
  file: string;
  ms: number;
}

/** What a run of a client left: the write's outcome, and how the client ended. */
export interface ClientRun {
  written: PromiseSettledResult<SinkResult>;
  exitCode: number;
  /** The signal that ended the client, if one did. */
  signal?: string;
  stderr: string;
  /** The client wrote the file itself (plain SQL through the descriptor): its write errors are the file's. */
  wroteFile?: boolean;
}

/**
 * A local mariadb-dump, its login in a temporary option file. Plain SQL goes
 * from the client straight into the file, read behind it for the hash and
 * the end marker, so no byte of it passes through Node on the way; gzip
 * needs Node's zlib, so then its stdout is streamed through the sink.
 */
async function dumpWithClient(input: DumpInput, client: string, sink: DumpSink): Promise<ClientRun> {
  return withOptionFile(input.login, async (optionFile) => {
    const args = dumpArgs(optionFile, input.database);
    if (!input.gzip) {
      const child = startClient(client, args, { stdin: 'ignore', stdout: sink.fd, env: input.env, signal: input.signal });
      const [written, done] = await Promise.all([Promise.allSettled([sink.follow(child.done)]), child.done]);
      return { written: written[0], ...done, wroteFile: true };
    }
    const child = startClient(client, args, { stdin: 'ignore', stdout: 'pipe', env: input.env, signal: input.signal });
    // A stopped client's children could hold its stdout open: stop reading at once.
    const stopReading = () => child.stdout!.destroy();
    input.signal.addEventListener('abort', stopReading, { once: true });
    try {
      const [written, done] = await Promise.all([Promise.allSettled([sink.write(child.stdout!)]), child.done]);
      return { written: written[0], ...done };
    } finally {
      input.signal.removeEventListener('abort', stopReading);
    }
  });
}

/** The one-line error of a dump whose file could not be written (a full disk, a file-size limit). */
function writeFailed(out: string, error: number | string): ProblemsFoundError {
  return new ProblemsFoundError(`writing the dump to ${path.dirname(out)} failed: ${describeSystemError(error)}; no file was written`);
}

/** The dump's outcome, or the one-line reason it failed (never a password). */
function outcome(run: ClientRun, client: string, password: string, out: string): SinkResult {
  // A failed write also ends the client (a broken pipe): the write is the cause.
  if (run.written.status === 'rejected') {
    const reason = run.written.reason as NodeJS.ErrnoException;
    throw writeFailed(out, reason.code ?? reason.message);
  }
  if (run.wroteFile) {
    // A client writing the file itself meets a file-size limit as SIGXFSZ, a full disk as `Got errno 28 on write`.
    if (run.signal === 'SIGXFSZ') throw writeFailed(out, 'EFBIG');
    const errno = /\bGot errno (\d+) on write\b/.exec(run.stderr);
    if (run.exitCode !== 0 && errno) throw writeFailed(out, Number(errno[1]));
  }
  if (run.signal) throw new ProblemsFoundError(`${client} was killed by ${run.signal}; no file was written`);
  if (run.exitCode !== 0) {
    throw new ProblemsFoundError(`${client} failed (exit ${run.exitCode}): ${clientErrorLine(run.stderr, [password])}; no file was written`);
  }
  if (!run.written.value.complete) {
    throw new ProblemsFoundError(`${client} exited 0 but its output does not end with "-- Dump completed"; no file was written`);
  }
  return run.written.value;
}

/**
 * Dumps `database` into `out`: written to a temporary name beside it, renamed
 * only when the client exited 0 and the SQL ends with the dump-completed
 * marker. On any failure or interruption nothing is left behind.
 */
export async function dumpDatabase(input: DumpInput): Promise<DumpResult> {
  const started = Date.now();
  const sink = await openDumpSink(input.out, { gzip: input.gzip, ...(input.onProgress ? { onProgress: input.onProgress } : {}) });
  try {
    const run =
      input.via.kind === 'client'
        ? await dumpWithClient(input, input.via.file, sink)
        : await (await import('./container.js')).dumpInContainer({ docker: input.via.docker, containerId: input.via.container.id, login: input.login, database: input.database, sink, signal: input.signal });
    if (input.signal.aborted) throw input.signal.reason;
    const client = input.via.kind === 'client' ? path.basename(input.via.file) : `mariadb-dump in ${input.via.container.name}`;
    const result = outcome(run, client, input.login.password.reveal(), input.out);
    // The last flush to disk can be where a full disk shows.
    await sink.commit(input.replace).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EEXIST') throw new UsageError(`${input.out} appeared while the dump ran and was kept; pass --force to replace it, or --out another file`);
      throw writeFailed(input.out, error.code ?? error.message);
    });
    return { ...result, file: input.out, ms: Date.now() - started };
  } catch (error) {
    await sink.discard();
    if (input.signal.aborted) throw input.signal.reason;
    throw error;
  }
}
