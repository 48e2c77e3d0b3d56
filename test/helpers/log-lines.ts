import { pino, type Logger } from 'pino';

export interface CollectedLog {
  logger: Logger;
  /** Every line exactly as written (JSON). */
  lines: string[];
  /** The parsed lines. */
  entries(): Array<Record<string, unknown> & { level: number; msg: string }>;
}

/** A real pino logger that writes its JSON lines to an array. */
export function collectLog(level = 'debug'): CollectedLog {
  const lines: string[] = [];
  const logger = pino({ level }, { write: (line: string) => void lines.push(line) });
  return { logger, lines, entries: () => lines.map((line) => JSON.parse(line)) };
}
