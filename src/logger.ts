import { Chalk, type ChalkInstance } from 'chalk';

/** Where a command writes. Tests pass one that collects lines. */
export interface Logger {
  /** Command output (tables, JSON); printed even with --quiet. */
  data(text: string): void;
  /** Progress and confirmations; silenced by --quiet. */
  info(text: string): void;
  /** Only with --verbose. */
  debug(text: string): void;
  warn(text: string): void;
  error(text: string): void;
  readonly color: ChalkInstance;
}

export interface LoggerOptions {
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  /** Colour on stdout (data, info). */
  color?: boolean;
  /** Colour on stderr (warnings, errors), decided by stderr's own terminal; default: as `color`. */
  errorColor?: boolean;
  verbose?: boolean;
  quiet?: boolean;
}

/** True when colour is wanted: a TTY, and neither NO_COLOR nor CI is set. */
export function wantsColor(stream: NodeJS.WritableStream, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.CI !== undefined && env.CI !== '' && env.CI !== 'false') return false;
  return (stream as { isTTY?: boolean }).isTTY === true;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const color = new Chalk({ level: options.color ? 1 : 0 });
  const errorColor = new Chalk({ level: (options.errorColor ?? options.color) ? 1 : 0 });
  // A reader that went away (`| head` done, a `| tee` or an ssh session killed: EPIPE,
  // or EIO from a terminal that is gone) loses the lines, not the work: a deploy or
  // a restore must still roll back and release its lock, so nothing exits here.
  const lost = new Set<NodeJS.WritableStream>();
  for (const stream of [stdout, stderr]) {
    (stream as NodeJS.EventEmitter).on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'EIO') throw error;
      lost.add(stream);
    });
  }
  const line = (stream: NodeJS.WritableStream, text: string) => {
    if (!lost.has(stream)) stream.write(text.endsWith('\n') ? text : `${text}\n`);
  };
  return {
    color,
    data: (text) => line(stdout, text),
    info: (text) => {
      if (!options.quiet) line(stdout, text);
    },
    debug: (text) => {
      if (options.verbose) line(stderr, errorColor.dim(text));
    },
    warn: (text) => line(stderr, errorColor.yellow(text)),
    error: (text) => line(stderr, errorColor.red(text)),
  };
}

/** A logger that keeps every line, for tests and for capturing output. */
export function createMemoryLogger(): Logger & { lines: { stream: 'out' | 'err'; text: string }[]; stdout(): string; stderr(): string } {
  const lines: { stream: 'out' | 'err'; text: string }[] = [];
  const push = (stream: 'out' | 'err') => (text: string) => {
    lines.push({ stream, text });
  };
  return {
    lines,
    color: new Chalk({ level: 0 }),
    data: push('out'),
    info: push('out'),
    debug: push('err'),
    warn: push('err'),
    error: push('err'),
    stdout: () => lines.filter((l) => l.stream === 'out').map((l) => l.text).join('\n'),
    stderr: () => lines.filter((l) => l.stream === 'err').map((l) => l.text).join('\n'),
  };
}
