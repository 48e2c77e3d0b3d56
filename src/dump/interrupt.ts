import { InterruptedError } from '../errors.js';

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
  try {
    return await run(controller.signal);
  } catch (error) {
    if (controller.signal.aborted) throw controller.signal.reason;
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
