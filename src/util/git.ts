import type { SimpleGit } from 'simple-git';
import { InterruptedError } from '../errors.js';
import { childEnv } from './child-env.js';

/** What one git command gave: its stdout (one final newline stripped), and the first error line of its stderr when it failed. */
export interface GitResult {
  ok: boolean;
  stdout: string;
  error: string;
}

export interface GitOptions {
  cwd?: string;
  /** Ctrl-C: git is stopped at once and the call throws InterruptedError. */
  signal?: AbortSignal | undefined;
  /** A limit on the whole command (not on a silence): a failed result saying so when it is reached. */
  limitSeconds?: number;
  /** Variables for this git besides the allowlisted environment. */
  env?: Record<string, string>;
}

/** Loaded on the first git command, so commands that run no git (--help, ports list, status) never load simple-git. */
let factory: Promise<typeof import('simple-git').simpleGit> | undefined;

function firstErrorLine(text: string): string {
  const lines = text.split('\n');
  const line = lines.find((l) => /fatal|error/i.test(l)) ?? lines.find((l) => l.trim() !== '') ?? '';
  return line.replace(/^fatal: /, '').trim();
}

/**
 * Runs `git <args>` through simple-git. The environment is the allowlisted one
 * (child-env.ts), so no JOBMON_* secret reaches git or its ssh. simple-git's
 * own checks stay on (it refuses --upload-pack and other options that run
 * commands), except the one for GIT_SSH_COMMAND / GIT_SSH: deploy sets that to
 * `ssh -o BatchMode=yes`, or keeps the operator's own, and both are trusted.
 *
 * The limit is a total one, as it was with execa: it aborts through
 * simple-git's `abort` option. simple-git's `timeout.block` is an inactivity
 * timer reset by each chunk of output, so a remote that dribbles sideband
 * messages would hold a deploy (and its lock) for ever; and our commands run
 * with -q and print nothing before they end, so for a silent hung remote the
 * two fire at the same moment anyway. On either abort simple-git sends git
 * SIGINT (execa sent SIGTERM): git stops and removes what it was writing.
 * git's stdin is an open pipe (simple-git does not let it be ignored); none
 * of our commands reads it, and prompts are off (GIT_TERMINAL_PROMPT=0).
 */
export async function runGit(args: string[], options: GitOptions = {}): Promise<GitResult> {
  const { signal, limitSeconds } = options;
  const limit = limitSeconds === undefined ? undefined : AbortSignal.timeout(limitSeconds * 1000);
  const abort = signal && limit ? AbortSignal.any([signal, limit]) : (signal ?? limit);
  let stdout: string;
  try {
    factory ??= import('simple-git').then((m) => m.simpleGit);
    const simpleGit = await factory;
    const git: SimpleGit = simpleGit({
      ...(options.cwd ? { baseDir: options.cwd } : {}),
      ...(abort ? { abort } : {}),
      unsafe: { allowUnsafeSshCommand: true },
      // simple-git fails a command only when it also wrote to stderr; here any exit but 0 fails, its message stderr alone (not stdout too).
      errors: (error, result) => (result.exitCode === 0 ? error : Buffer.concat(result.stdErr)),
    }).env(childEnv(process.env, options.env ?? {}));
    stdout = await git.raw(args);
  } catch (error) {
    // simple-git reports either abort as GitPluginError (plugin 'abort'); which signal fired tells Ctrl-C from the limit.
    if (signal?.aborted) throw new InterruptedError(`interrupted during git ${args[0]}; nothing half-made was kept`);
    if (limit?.aborted) return { ok: false, stdout: '', error: `git ${args[0]} timed out after ${limitSeconds} s` };
    return { ok: false, stdout: '', error: firstErrorLine(error instanceof Error ? error.message : String(error)) };
  }
  // As execa did: callers compare `show`'s output and rev-parse's line without it.
  return { ok: true, stdout: stdout.replace(/\r?\n$/, ''), error: '' };
}
