/**
 * Seed rows of migration 1: the status tables (spec §3) and the attribute
 * types (spec §4), inserted with INSERT IGNORE so a rerun changes nothing.
 */

/** Status codes and labels (spec §3), keyed by table. */
export const STATUS_SEEDS: Record<string, ReadonlyArray<readonly [string, string]>> = {
  job_status: [
    ['G', 'REGISTERED'], ['Q', 'QUEUED_FOR_INSTANTIATION'], ['I', 'INSTANTIATED'], ['R', 'RUNNING'],
    ['E', 'ERROR_RECOVERABLE'], ['F', 'ERROR_FATAL'], ['D', 'DONE'],
  ],
  job_instance_status: [
    ['I', 'INSTANTIATED'], ['B', 'SUBMITTED_TO_BATCH_EXECUTOR'], ['R', 'RUNNING'], ['E', 'ERROR'], ['D', 'DONE'],
  ],
  workflow_status: [['C', 'CREATED'], ['R', 'RUNNING'], ['S', 'STOPPED'], ['E', 'ERROR'], ['D', 'DONE']],
  workflow_run_status: [['R', 'RUNNING'], ['S', 'STOPPED'], ['E', 'ERROR'], ['D', 'DONE']],
};

const COMMON_ATTRIBUTES = [
  'NUM_LOCATIONS', 'NUM_DRAWS', 'NUM_AGE_GROUPS', 'NUM_YEARS', 'NUM_RISKS', 'NUM_CAUSES', 'NUM_SEXES',
  'TAG', 'NUM_MEASURES', 'NUM_METRICS', 'NUM_MOST_DETAILED_LOCATIONS', 'NUM_AGGREGATE_LOCATIONS',
];
const typed = (names: string[], type: (name: string) => string, from = 1) =>
  names.map((name, i) => [from + i, name, type(name)] as const);
const common = typed(COMMON_ATTRIBUTES, (name) => (name === 'TAG' ? 'string' : 'int'));

/**
 * Attribute types with explicit ids (the original relied on insertion order):
 * the client sends these ids as bare numbers.
 */
export const ATTRIBUTE_TYPE_SEEDS: Record<string, ReadonlyArray<readonly [number, string, string]>> = {
  workflow_attribute_type: common,
  workflow_run_attribute_type: [...common, ...typed(['SLOT_LIMIT_AT_START', 'SLOT_LIMIT_AT_END'], () => 'int', 13)],
  job_attribute_type: [...common, ...typed(['WALLCLOCK', 'CPU', 'IO', 'MAXRSS', 'USAGE_STR'], () => 'string', 13)],
};

/** A statement and its (client-side escaped) parameters. */
export type Statement = readonly [sql: string, values?: unknown[]];

/** The INSERT IGNORE statements for every seed table. */
export const SEEDS_V1: Statement[] = [
  ...Object.entries(STATUS_SEEDS).map(([table, rows]): Statement =>
    [`INSERT IGNORE INTO ${table} (id, label) VALUES ?`, [rows.map((row) => [...row])]]),
  ...Object.entries(ATTRIBUTE_TYPE_SEEDS).map(([table, rows]): Statement =>
    [`INSERT IGNORE INTO ${table} (id, name, type) VALUES ?`, [rows.map((row) => [...row])]]),
];
