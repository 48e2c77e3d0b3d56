/**
 * The version of every `--json` output's shape (docs/json.md). Adding a field
 * keeps it; removing or changing one bumps it, so a consumer can refuse a
 * shape it does not know instead of misreading it.
 */
export const SCHEMA_VERSION = 1;

/** A `--json` output: always an object, `schemaVersion` first, pretty-printed. */
export function jsonOutput(fields: Record<string, unknown>): string {
  return JSON.stringify({ schemaVersion: SCHEMA_VERSION, ...fields }, null, 2);
}
