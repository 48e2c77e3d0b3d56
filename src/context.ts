import type { Logger } from './logger.js';

/** What every command gets injected: where it runs and where it writes. */
export interface Context {
  cwd: string;
  env: NodeJS.ProcessEnv;
  logger: Logger;
}

/** Options every command accepts (set on the root program). */
export interface GlobalOptions {
  registry?: string;
  json?: boolean;
}

/** A command: one async function of its options; returns the exit code (default 0). */
export type CommandFn<O> = (options: O, ctx: Context) => Promise<number | void>;
