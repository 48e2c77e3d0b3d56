import { isSafeNumber, LosslessNumber, parse, stringify } from 'lossless-json';

/**
 * JSON for the Jobmon wire. The 0.8 client sends `job_hash` as a bare integer
 * of up to 160 bits; a double would lose its digits. Numbers that fit a double
 * exactly become numbers; any other number keeps its exact digits as a string.
 */
export function parseWireJson(text: string): unknown {
  return parse(text, null, (digits: string) => (isSafeNumber(digits) ? Number(digits) : digits));
}

/**
 * A digit string emitted as a bare JSON number (for `job_hash` in job_status),
 * read as Python's int() would: blanks, a sign and leading zeros allowed. Any
 * other text is emitted as a JSON string rather than failing the request.
 */
export function bareNumber(text: string): LosslessNumber | string {
  const match = /^\s*([+-]?)0*(\d+)\s*$/.exec(text);
  if (!match) return text;
  const digits = match[2]!;
  return new LosslessNumber(match[1] === '-' && digits !== '0' ? `-${digits}` : digits);
}

/** Serialises a body that may hold bare numbers made by `bareNumber`. */
export function stringifyWireJson(value: unknown): string {
  return stringify(value) ?? 'null';
}
