import { formatBytes } from './format.js';

/** Bytes so far, on a terminal: one plain line (no colour) on stderr, redrawn at most 5 times a second, gone at the end. */
export interface ByteProgress {
  update(bytes: number): void;
  stop(): void;
}

/**
 * Progress only on a terminal, and not with --quiet, --json, CI or TERM=dumb.
 * NO_COLOR is about colour only: the line has none, so it stays on.
 */
export function wantsProgress(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv, options: { quiet?: boolean; json?: boolean }): boolean {
  const set = (name: string) => (env[name] ?? '') !== '' && env[name] !== 'false';
  return stream.isTTY === true && !options.quiet && !options.json && !set('CI') && env.TERM !== 'dumb';
}

/**
 * A progress line drawn with a carriage return. Hand-written rather than a
 * spinner library: ora divides by the terminal's width, which is 0 in some
 * pseudo-terminals, and then never stops clearing lines.
 */
export function byteProgress(label: string, enabled: boolean, stream: NodeJS.WriteStream = process.stderr): ByteProgress {
  if (!enabled) return { update: () => undefined, stop: () => undefined };
  const draw = (text: string) => {
    const width = (stream.columns ?? 0) > 1 ? stream.columns - 1 : Infinity;
    stream.write(`\r\x1b[2K${text.length > width ? text.slice(0, width) : text}`);
  };
  let shown = 0;
  draw(`${label} ...`);
  return {
    update(bytes) {
      const now = Date.now();
      if (now - shown < 200) return;
      shown = now;
      draw(`${label} ${formatBytes(bytes)}`);
    },
    stop: () => stream.write('\r\x1b[2K'),
  };
}
