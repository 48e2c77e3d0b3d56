import { constants } from 'node:os';
import { getSystemErrorMap } from 'node:util';
import { DUMP_COMPLETED } from './argv.js';

/** True when the end of a dump's SQL is the dump-completed marker line. */
export function isCompleteDump(tail: string): boolean {
  const lines = tail.trimEnd().split('\n');
  return (lines[lines.length - 1] ?? '').startsWith(DUMP_COMPLETED);
}

/** True when the start of a file's SQL looks like a mariadb-dump or mysqldump dump. */
export function looksLikeDump(head: string): boolean {
  return /^-- (MariaDB|MySQL) dump /m.test(head.slice(0, 4096));
}

/** `123 B`, `4.2 kB`, `12.3 MB`, `1.05 GB` (SI units, as ls -h --si and most tools print). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(value >= 100 ? 0 : value >= 10 ? 1 : 2)} ${units[unit]}`;
}

/** Seconds with one decimal. */
export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * The one line worth showing of a client's stderr: the error (`mariadb-dump:
 * Got error: 1045: "Access denied ..."`, `ERROR 1064 (42000) at line 3: ...`),
 * else its last line. Any of `secrets` that appears is replaced, though the
 * clients never print a password.
 */
export function clientErrorLine(stderr: string, secrets: readonly string[] = []): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const line = lines.find((l) => /\berror\b/i.test(l) && !/^warning\b/i.test(l)) ?? lines[lines.length - 1] ?? 'no message';
  let safe = line;
  for (const secret of secrets) if (secret !== '') safe = safe.split(secret).join('[REDACTED]');
  return safe.length > 400 ? `${safe.slice(0, 397)}...` : safe;
}

/**
 * A system error for people: `no space left on device (ENOSPC)`, from an
 * errno number (as clients print it: `Got errno 28 on write`) or a code.
 */
export function describeSystemError(error: number | string): string {
  const codes = constants.errno as Record<string, number>;
  const errno = typeof error === 'number' ? error : codes[error];
  const code = typeof error === 'string' ? error : Object.keys(codes).find((name) => codes[name] === error);
  const message = errno === undefined ? undefined : getSystemErrorMap().get(-errno)?.[1];
  if (code === undefined) return message ?? `error ${error}`;
  return message ? `${message} (${code})` : code;
}
