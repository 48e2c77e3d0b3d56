import type { Logger } from '../logger.js';

/**
 * Progress of a deploy: a spinner per step on a terminal, plain lines
 * otherwise (pipes, CI, tests). Each step ends with its time.
 */
export interface Progress {
  /** Runs one step: shows `title` while it runs, then ok or failed with the seconds it took. */
  step<T>(title: string, run: () => Promise<T>, done?: (result: T) => string | undefined): Promise<T>;
  /** A line of its own (a build's progress, a note), between or inside steps. */
  line(text: string): void;
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Plain lines: the title when a step starts (so a wait shows its limit), then its outcome. */
export function plainProgress(logger: Logger): Progress {
  return {
    async step(title, run, done) {
      const started = Date.now();
      logger.info(`${title} ...`);
      try {
        const result = await run();
        const extra = done?.(result);
        logger.info(`  ok (${seconds(Date.now() - started)})${extra ? `: ${extra}` : ''}`);
        return result;
      } catch (error) {
        logger.info(`  failed (${seconds(Date.now() - started)})`);
        throw error;
      }
    },
    line: (text) => logger.info(text),
  };
}

/**
 * `deploy --json`: plain progress on stderr, so stdout holds nothing but the summary's JSON.
 * Through warn, the logger's one stderr channel besides errors; --quiet still silences it.
 */
export function jsonProgress(logger: Logger, quiet: boolean): Progress {
  return plainProgress({ ...logger, info: (text) => (quiet ? undefined : logger.warn(text)) });
}

/** A spinner per step (ora, on stderr); lines printed meanwhile keep it below them. */
export async function spinnerProgress(logger: Logger): Promise<Progress> {
  const { default: ora } = await import('ora');
  let current: ReturnType<typeof ora> | undefined;
  return {
    async step(title, run, done) {
      const started = Date.now();
      const spinner = ora({ text: title, discardStdin: false }).start();
      current = spinner;
      try {
        const result = await run();
        const extra = done?.(result);
        spinner.succeed(`${title} (${seconds(Date.now() - started)})${extra ? `: ${extra}` : ''}`);
        return result;
      } catch (error) {
        spinner.fail(`${title} (${seconds(Date.now() - started)})`);
        throw error;
      } finally {
        current = undefined;
      }
    },
    line(text) {
      if (!current) return logger.info(text);
      current.clear();
      logger.info(text);
      current.render();
    },
  };
}
