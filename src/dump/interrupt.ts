import { InterruptedError } from '../errors.js';

/**
 * Over a file-size limit (ulimit -f) a write fails with EFBIG, which the
 * dump reports and cleans up after, and the kernel also sends SIGXFSZ. Node
 * ignores that signal, but an exit hook such as signal-exit (which execa
 * loads) listens for it and re-raises it when it is the only listener, which
 * would kill the process before its temporary files are removed: with this
 * listener there, the signal stays harmless whatever else is loaded.
 */
function ignoreFileSizeSignal(): void {
  // nothing: the failed write says it all
}

/**
 * Runs `run` with a signal that Ctrl-C (SIGINT) or SIGTERM aborts; `run`
 * cleans up on abort, and then this throws the InterruptedError (exit 130).
 * A second signal exits at once: the exit handlers of the temporary files
 * still remove them.
 */
export async function withInterrupt<T>(message: string, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort(new InterruptedError(message));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGXFSZ', ignoreFileSizeSignal);
  try {
    return await run(controller.signal);
  } catch (error) {
    if (controller.signal.aborted) throw controller.signal.reason;
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGXFSZ', ignoreFileSizeSignal);
  }
}
