import { InterruptedError, SIGNAL_EXIT_CODES, type InterruptSignal } from '../errors.js';

/** The signals a command stops for. */
export const STOP_SIGNALS: readonly InterruptSignal[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface InterruptOptions {
  /**
   * What a second signal does while the first one's cleanup runs. `exit`:
   * stop at once (what is left is only temporary files that exit handlers
   * remove). `wait`: say so and let the cleanup finish; a rollback that puts
   * a release back must not be cut short (kill -9 leaves it to the next run).
   */
  repeat?: 'exit' | 'wait';
  /** Where the first signal is acknowledged, and `wait` says that it goes on. */
  warn?: (line: string) => void;
}

/**
 * Over a file-size limit (ulimit -f) a write fails with EFBIG, which the
 * caller reports and cleans up after, and the kernel also sends SIGXFSZ. Node
 * ignores that signal, but an exit hook such as signal-exit (which execa
 * loads) listens for it and re-raises it when it is the only listener, which
 * would kill the process before its temporary files are removed: with this
 * listener there, the signal stays harmless whatever else is loaded.
 */
function ignoreFileSizeSignal(): void {
  // nothing: the failed write says it all
}

/**
 * After SIGHUP the terminal is gone: a write to it fails with EIO (EPIPE for
 * a closed pipe), which as an unhandled 'error' event would end the process
 * in the middle of its cleanup. The lines are lost either way.
 */
function ignoreLostOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.listenerCount('error') === 0) stream.on('error', () => undefined);
  }
}

/**
 * Runs `run` with an AbortSignal that SIGINT, SIGTERM or SIGHUP aborts.
 * `run` stops what it is doing and cleans up on abort; then this throws an
 * InterruptedError with `message` (or the message of the InterruptedError
 * `run` threw, which says more) and the signal's exit code: 130, 143 or 129.
 */
export async function withInterrupt<T>(message: string, run: (signal: AbortSignal) => Promise<T>, options: InterruptOptions = {}): Promise<T> {
  const controller = new AbortController();
  let received: InterruptSignal | undefined;
  const onSignal = (name: InterruptSignal) => {
    ignoreLostOutput();
    if (received) {
      if (options.repeat !== 'wait') process.exit(SIGNAL_EXIT_CODES[name]);
      options.warn?.(`${name} again: still cleaning up, which must finish to leave the release as it was; kill -9 leaves that to the next run`);
      return;
    }
    received = name;
    options.warn?.(`${name}: stopping, and cleaning up first${options.repeat === 'wait' ? '' : ' (again to quit at once)'}`);
    controller.abort(new InterruptedError(message, name));
  };
  for (const name of STOP_SIGNALS) process.on(name, onSignal);
  process.on('SIGXFSZ', ignoreFileSizeSignal);
  try {
    return await run(controller.signal);
  } catch (error) {
    if (received) throw new InterruptedError(error instanceof InterruptedError ? error.message : message, received);
    throw error;
  } finally {
    for (const name of STOP_SIGNALS) process.off(name, onSignal);
    process.off('SIGXFSZ', ignoreFileSizeSignal);
  }
}

/** The signal that aborted `signal`, for code that reports an interruption itself. */
export function interruptSignalOf(signal: AbortSignal): InterruptSignal {
  return signal.reason instanceof InterruptedError ? signal.reason.signal : 'SIGINT';
}
