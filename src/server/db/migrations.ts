import { createHash } from 'node:crypto';
import type { Connection } from 'mysql2/promise';
import { SCHEMA_V1 } from './schema-v1.js';
import { SCHEMA_V2_MONITOR } from './schema-v2-monitor.js';
import { SCHEMA_V3_OUTBOX_FAILED } from './schema-v3-outbox-failed.js';
import type { Statement } from './seed-v1.js';

/** One step of the schema. Statements must be idempotent: DDL commits on its own in MySQL. */
export interface Migration {
  version: number;
  name: string;
  statements: readonly Statement[];
}

/** Every migration, oldest first. Append only; never edit a released one. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'jobmon 0.8 schema and seed rows', statements: SCHEMA_V1 },
  { version: 2, name: 'monitor outbox, episodes and status', statements: SCHEMA_V2_MONITOR },
  { version: 3, name: 'monitor outbox: messages Slack refused for good end failed', statements: SCHEMA_V3_OUTBOX_FAILED },
];

/** The version this build's schema ends at; services wait for it. */
export const SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/** Anything with mysql2's promise `query` (a connection, a pool connection or a pool). */
export type Queryable = Pick<Connection, 'query'>;

export interface MigrateResult {
  from: number;
  to: number;
}

const LOCK_TIMEOUT_SECONDS = 60;
const ER_NO_SUCH_TABLE = 1146;

/** Backquotes one identifier (a database name may hold any character). */
export function quoteIdentifier(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

/** The named lock of one database's migrations; names over 64 characters are refused by the server. */
function lockName(database: string): string {
  const name = `jobmon_migrate_${database}`;
  return name.length <= 64 ? name : `jobmon_migrate_${createHash('sha256').update(database).digest('hex').slice(0, 40)}`;
}

/**
 * The schema version recorded in `database` (the connection's current one
 * when omitted); 0 when no migration ever ran.
 */
export async function schemaVersion(db: Queryable, database?: string): Promise<number> {
  const table = database === undefined ? 'schema_migrations' : `${quoteIdentifier(database)}.schema_migrations`;
  try {
    const [rows] = await db.query(`SELECT COALESCE(MAX(version), 0) AS version FROM ${table}`);
    return Number((rows as Array<{ version: unknown }>)[0]?.version ?? 0);
  } catch (error) {
    if ((error as { errno?: unknown }).errno === ER_NO_SUCH_TABLE) return 0;
    throw error;
  }
}

/**
 * Brings `database` to SCHEMA_VERSION. Holds a server-side named lock for the
 * whole run, so concurrent initdb runs apply each migration once and the later
 * ones find nothing to do. Leaves `connection` using `database`.
 */
export async function migrate(connection: Connection, database: string, log: (line: string) => void): Promise<MigrateResult> {
  const lock = lockName(database);
  const [lockRows] = await connection.query('SELECT GET_LOCK(?, ?) AS acquired', [lock, LOCK_TIMEOUT_SECONDS]);
  if (Number((lockRows as Array<{ acquired: unknown }>)[0]?.acquired) !== 1) {
    throw new Error(`another migration of database ${database} held its lock for over ${LOCK_TIMEOUT_SECONDS} s`);
  }
  try {
    await connection.query(`USE ${quoteIdentifier(database)}`);
    await connection.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
        version INT NOT NULL,
        name VARCHAR(255) NOT NULL,
        applied_at DATETIME NOT NULL,
        PRIMARY KEY (version)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,
    );
    const from = await schemaVersion(connection);
    if (from > SCHEMA_VERSION) {
      log(`schema is at version ${from}, newer than this server's ${SCHEMA_VERSION}; leaving it as is`);
      return { from, to: from };
    }
    const pending = MIGRATIONS.filter((migration) => migration.version > from);
    if (pending.length === 0) {
      log(`schema already at version ${from}; nothing to do`);
      return { from, to: from };
    }
    for (const migration of pending) {
      log(`applying migration ${migration.version}: ${migration.name}`);
      for (const [sql, values] of migration.statements) await connection.query(sql, values);
      // Recorded last: a migration that died halfway is re-run in full, which
      // its idempotent statements allow.
      await connection.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, UTC_TIMESTAMP())', [
        migration.version,
        migration.name,
      ]);
    }
    log(`schema migrated from version ${from} to ${SCHEMA_VERSION}`);
    return { from, to: SCHEMA_VERSION };
  } finally {
    await connection.query('SELECT RELEASE_LOCK(?)', [lock]).catch(() => undefined);
  }
}

export interface WaitForSchemaOptions {
  database?: string;
  timeoutMs?: number;
  intervalMs?: number;
  log?: (line: string) => void;
}

/**
 * Resolves once the recorded schema version is at least `version`, polling
 * (database errors count as "not yet"); rejects after `timeoutMs`.
 */
export async function waitForSchemaVersion(db: Queryable, version: number, options: WaitForSchemaOptions = {}): Promise<number> {
  const { timeoutMs = 120_000, intervalMs = 1_000, log } = options;
  const deadline = Date.now() + timeoutMs;
  let said = false;
  for (;;) {
    const found = await schemaVersion(db, options.database).catch(() => -1);
    if (found >= version) return found;
    if (Date.now() >= deadline) {
      throw new Error(`schema version ${version} not reached within ${Math.round(timeoutMs / 1000)} s (found ${Math.max(found, 0)}); run jobmon-server initdb`);
    }
    if (!said) log?.(`waiting for schema version ${version} (found ${Math.max(found, 0)})`);
    said = true;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
