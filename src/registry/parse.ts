import * as v from 'valibot';
import { findDuplicateKeys } from './duplicate-keys.js';
import { checkRules } from './rules.js';
import { registrySchema, type Problem, type Registry } from './schema.js';

export type ParseResult =
  | { ok: true; registry: Registry; problems: Problem[] }
  | { ok: false; problems: Problem[] };

/** Line and column (1-based) of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return { line, column };
}

/** Where JSON.parse stopped, from V8's message ("... at position 42" or "line 3 column 5"). */
function jsonErrorLocation(text: string, error: Error): string {
  const lc = /line (\d+) column (\d+)/.exec(error.message);
  if (lc) return `line ${lc[1]}, column ${lc[2]}`;
  const pos = /at position (\d+)/.exec(error.message);
  const offset = pos ? Number(pos[1]) : text.length;
  const { line, column } = lineColumn(text, offset);
  return `line ${line}, column ${column}`;
}

/** `hosts.jobmon-p01.releases[3].db`: the path the problem messages use. */
function issuePath(issue: v.BaseIssue<unknown>): string {
  let out = '';
  for (const item of issue.path ?? []) {
    const key = item.key;
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

/** Every problem of a registry value: the schema's first (they make it unusable), else the named rules'. */
export function registryProblems(data: unknown): Problem[] {
  const parsed = v.safeParse(registrySchema, data);
  if (!parsed.success) return parsed.issues.map((issue) => ({ path: issuePath(issue), message: issue.message }));
  return checkRules(parsed.output);
}

/**
 * Parses registry text: JSON first (saying where it broke), then the schema,
 * then the named rules. Schema problems make the result unusable; rule
 * problems come back beside a usable registry, so read-only commands still work.
 */
export function parseRegistry(raw: string): ParseResult {
  // A byte order mark is what some Windows editors put first; JSON.parse refuses it, we skip it.
  const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message.replace(/\s*in JSON at position \d+.*$/, '').replace(/\s*\(line \d+ column \d+\)$/, '');
    return { ok: false, problems: [{ path: jsonErrorLocation(text, error as Error), message: `invalid JSON: ${message}` }] };
  }
  const duplicates = findDuplicateKeys(text);
  if (duplicates.length > 0) {
    const problems = duplicates.map(({ path, first, again }) => ({
      path,
      message: `is given twice in one object (lines ${lineColumn(text, first).line} and ${lineColumn(text, again).line}); JSON would keep only the last`,
    }));
    return { ok: false, problems };
  }
  const parsed = v.safeParse(registrySchema, data);
  if (!parsed.success) {
    return { ok: false, problems: parsed.issues.map((issue) => ({ path: issuePath(issue), message: issue.message })) };
  }
  return { ok: true, registry: parsed.output, problems: checkRules(parsed.output) };
}
