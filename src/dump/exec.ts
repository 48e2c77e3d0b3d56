import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { execa } from 'execa';

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

/** Variables a client would take a password from: a child gets none of them. */
const PASSWORD_VARIABLES = ['MYSQL_PWD', 'JOBMON_DB_PASSWORD'];

export interface ClientProcess {
  /** The client's stdout, when it was asked for ('pipe'). */
  stdout: Readable | null;
  /** Its stdin, when it was asked for ('pipe'). */
  stdin: Writable | null;
  /** Settles when it exits: its exit code (-1 when killed by a signal) and its stderr. */
  done: Promise<{ exitCode: number; stderr: string }>;
}

export interface StartClientOptions {
  stdin: 'pipe' | 'ignore';
  /** A number is a file descriptor the client writes to directly. */
  stdout: 'pipe' | 'ignore' | number;
  env: NodeJS.ProcessEnv;
  /** Aborting stops the client (SIGTERM, then SIGKILL after 5 s). */
  signal: AbortSignal;
}

/** Starts a MariaDB client; the caller streams its stdin/stdout and awaits `done`. */
export function startClient(file: string, args: readonly string[], options: StartClientOptions): ClientProcess {
  const env: NodeJS.ProcessEnv = { ...options.env };
  for (const name of PASSWORD_VARIABLES) delete env[name];
  const child = execa(file, args, {
    env,
    extendEnv: false,
    stdin: options.stdin,
    // A descriptor goes to the child as is (execa's types list only 0-2, its runtime takes any).
    stdout: options.stdout as 'pipe',
    stderr: 'pipe',
    buffer: { stdout: false, stderr: true },
    reject: false,
    cancelSignal: options.signal,
    forceKillAfterDelay: 5_000,
  });
  const done = child.then((result) => ({
    exitCode: result.exitCode ?? -1,
    stderr: typeof result.stderr === 'string' ? result.stderr : '',
  }));
  return { stdout: child.stdout, stdin: child.stdin, done };
}
