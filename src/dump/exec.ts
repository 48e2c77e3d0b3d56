import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { childEnv } from '../util/child-env.js';

/**
 * The one place dump and restore start a local process. Everything it runs
 * comes from the pure builders in argv.ts.
 */

/** The first of `names` that is an executable file on PATH, as an absolute path. */
export async function findClient(names: readonly string[], env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const dirs = (env.PATH ?? '').split(path.delimiter).filter((d) => d !== '');
  for (const name of names) {
    for (const dir of dirs) {
      const file = path.join(dir, name);
      try {
        await access(file, constants.X_OK);
        return file;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/** How much of a client's stderr is kept (its end: the error is the last thing it says). */
const STDERR_KEEP = 64 * 1024;
/** How long after the client's exit its stderr may take to end (the rest of what it said). */
const STDERR_GRACE_MS = 500;
/** After SIGTERM, a client that is still running gets SIGKILL. */
const KILL_AFTER_MS = 5_000;

export interface ClientExit {
  exitCode: number;
  /** `SIGXFSZ` and the like, when a signal ended it. */
  signal?: string;
  stderr: string;
}

export interface ClientProcess {
  /** The client's stdout, when it was asked for ('pipe'). */
  stdout: Readable | null;
  /** Its stdin, when it was asked for ('pipe'). */
  stdin: Writable | null;
  /** Settles when it exits: its exit code (-1 when killed by a signal), the signal that killed it, and its stderr. */
  done: Promise<ClientExit>;
}

export interface StartClientOptions {
  stdin: 'pipe' | 'ignore';
  /** A number is a file descriptor the client writes to directly. */
  stdout: 'pipe' | 'ignore' | number;
  env: NodeJS.ProcessEnv;
  /** Aborting stops the client (SIGTERM, then SIGKILL after 5 s). */
  signal: AbortSignal;
}

/**
 * Starts a MariaDB client; the caller streams its stdin/stdout and awaits
 * `done`. Plain node:child_process rather than execa: a dump starts one
 * process, and execa's load time is a measurable part of a dump's fixed cost
 * (bench/results/dump.md). The client is stopped if this process exits first.
 */
export function startClient(file: string, args: readonly string[], options: StartClientOptions): ClientProcess {
  // The allowlisted environment only: no MYSQL_PWD, JOBMON_DB_PASSWORD or other secret, and no MYSQL_HOST or
  // MYSQL_TCP_PORT to send the login elsewhere; the login is in the option file alone.
  const child = spawn(file, args, { env: childEnv(options.env), stdio: [options.stdin, options.stdout, 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    stderr = (stderr + text).slice(-STDERR_KEEP);
  });
  let killTimer: NodeJS.Timeout | undefined;
  const stop = () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
    killTimer.unref();
  };
  const stopNow = () => child.kill('SIGKILL');
  if (options.signal.aborted) stop();
  else options.signal.addEventListener('abort', stop, { once: true });
  process.once('exit', stopNow);
  // stderr ends when every process holding it is gone; a child the client left behind could hold it for long.
  const stderrEnded = new Promise<void>((resolve) => child.stderr!.once('end', resolve).once('close', resolve));
  const done = new Promise<ClientExit>((resolve) => {
    let failed: Error | undefined;
    const finish = async (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(killTimer);
      options.signal.removeEventListener('abort', stop);
      process.off('exit', stopNow);
      await Promise.race([stderrEnded, new Promise((r) => setTimeout(r, STDERR_GRACE_MS).unref())]);
      const text = failed && stderr === '' ? failed.message : stderr;
      resolve({ exitCode: code ?? -1, ...(signal ? { signal } : {}), stderr: text });
    };
    child.once('error', (error) => {
      failed = error;
      // A program that could not start never exits.
      if (child.pid === undefined) void finish(null, null);
    });
    child.once('exit', (code, signal) => void finish(code, signal));
  });
  return { stdout: child.stdout, stdin: child.stdin, done };
}
