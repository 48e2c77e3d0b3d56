/**
 * The few error classes the CLI knows. Each carries its exit code; only the
 * entry point (`src/cli.ts`) turns them into `process.exitCode`.
 * Messages are one line: the problem, then the next step.
 */
export const ExitCode = {
  ok: 0,
  problems: 1,
  usage: 2,
  interrupted: 130,
} as const;

export class JobmonOpsError extends Error {
  readonly exitCode: number;
  /** Further lines (e.g. every problem of a file) shown under the message. */
  readonly details: readonly string[];
  constructor(message: string, exitCode: number, details: readonly string[] = []) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.details = details;
  }
}

/** Bad usage, bad input or a failed preflight: nothing was changed (exit 2). */
export class UsageError extends JobmonOpsError {
  constructor(message: string, details: readonly string[] = []) {
    super(message, ExitCode.usage, details);
  }
}

/** A check found problems, or a runtime step failed (exit 1). */
export class ProblemsFoundError extends JobmonOpsError {
  constructor(message: string, details: readonly string[] = []) {
    super(message, ExitCode.problems, details);
  }
}

/** The signals a command stops for, cleaning up first. SIGHUP is what a dropped ssh session sends. */
export type InterruptSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

/** 128 + the signal's number, as a shell reports a process the signal ended: INT 130, TERM 143, HUP 129. */
export const SIGNAL_EXIT_CODES: Record<InterruptSignal, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/** Ctrl-C or another stop signal: the command stopped after cleaning up (exit 130, or 128 + the signal). */
export class InterruptedError extends JobmonOpsError {
  readonly signal: InterruptSignal;
  constructor(message = 'interrupted; cleaned up', signal: InterruptSignal = 'SIGINT') {
    super(message, SIGNAL_EXIT_CODES[signal]);
    this.signal = signal;
  }
}
