import { randomBytes } from 'node:crypto';
import mysql, { type Connection } from 'mysql2/promise';
import type { AccountNames, AccountPasswords } from '../../src/server/db/accounts.js';
import { Secret } from '../../src/server/secret.js';

/**
 * The admin account of the dedicated test instance that
 * `scripts/test-mariadb.sh` starts (a local, test-only credential).
 */
export const TEST_DB = {
  host: process.env.JOBMON_TEST_DB_HOST ?? '127.0.0.1',
  port: Number(process.env.JOBMON_TEST_DB_PORT ?? 33306),
  user: process.env.JOBMON_TEST_DB_USER ?? 'jobmon_admin',
  password: process.env.JOBMON_TEST_DB_PASS ?? 'jobmon-test-admin',
};

/** Fixed passwords of the Jobmon accounts in tests (test-only, never used elsewhere). */
export const TEST_PASSWORDS = {
  tableCreator: 'tc-test-pass-4f1d',
  serviceUser: 'su-test-pass-8b2e',
  readOnly: 'ro-test-pass-2c7a',
} as const;

/** TEST_PASSWORDS as the Secrets that initdb and ensureAccounts take. */
export function testAccountPasswords(): Required<AccountPasswords> {
  return {
    tableCreator: new Secret(TEST_PASSWORDS.tableCreator),
    serviceUser: new Secret(TEST_PASSWORDS.serviceUser),
    readOnly: new Secret(TEST_PASSWORDS.readOnly),
  };
}

/** Prefix of every database and account the tests create; the sweeper removes old ones. */
export const TEST_PREFIX = 'jt_';
/** Leftovers older than this are swept; younger ones may belong to a concurrent run. */
export const SWEEP_AGE_MS = 60 * 60 * 1000;

/**
 * A unique test name: `jt_<prefix>_<base36 ms time>_<random>`. The time lets
 * the sweeper tell an old run's leftovers from a concurrent run's live ones.
 */
export function uniqueTestName(prefix: string): string {
  const clean = prefix.toLowerCase().replace(/[^a-z0-9]+/g, '_').slice(0, 24);
  return `${TEST_PREFIX}${clean}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

/** Creation time (ms) encoded in a uniqueTestName, or undefined when it has none. */
export function testNameTime(name: string): number | undefined {
  const match = /_([0-9a-z]{8,9})_[0-9a-f]{6}(?:_[a-z]{2})?$/.exec(name);
  return match?.[1] === undefined ? undefined : parseInt(match[1], 36);
}

/** Opens a connection as the admin account (no default database unless given). */
export async function adminConnection(database?: string): Promise<Connection> {
  return connectAs(TEST_DB.user, TEST_DB.password, database);
}

/** Opens a connection as any account; used to prove what an account may do. */
export async function connectAs(user: string, password: string, database?: string): Promise<Connection> {
  return mysql.createConnection({
    host: TEST_DB.host,
    port: TEST_DB.port,
    user,
    password,
    ...(database === undefined ? {} : { database }),
    timezone: 'Z',
    dateStrings: true,
    connectTimeout: 5_000,
  });
}

/** Backquotes an identifier. */
export const quoteId = (name: string): string => `\`${name.replace(/`/g, '``')}\``;

/**
 * Drops a test database and the grants on it (MariaDB keeps grants of a
 * dropped database, and they would pile up across runs).
 */
export async function dropTestDatabase(admin: Connection, name: string): Promise<void> {
  await admin.query(`DROP DATABASE IF EXISTS ${quoteId(name)}`);
  const escaped = name.replace(/[\\_%]/g, (c) => `\\${c}`);
  const [rows] = await admin.query(
    'SELECT DISTINCT GRANTEE AS grantee, TABLE_SCHEMA AS db FROM information_schema.SCHEMA_PRIVILEGES WHERE TABLE_SCHEMA IN (?, ?)',
    [name, escaped],
  );
  for (const { grantee, db } of rows as Array<{ grantee: string; db: string }>) {
    // GRANTEE comes back quoted ('user'@'host'), ready to use as an account name.
    await admin.query(`REVOKE ALL PRIVILEGES ON ${quoteId(db)}.* FROM ${grantee}`).catch(() => undefined);
    await admin.query(`REVOKE GRANT OPTION ON ${quoteId(db)}.* FROM ${grantee}`).catch(() => undefined);
  }
}

export interface TestDatabase {
  name: string;
  drop(): Promise<void>;
}

/** Creates an empty, uniquely named database (`jt_<prefix>_...`); `drop()` removes it and its grants. */
export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const name = uniqueTestName(prefix);
  const admin = await adminConnection();
  try {
    await admin.query(`CREATE DATABASE ${quoteId(name)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await admin.end();
  }
  return {
    name,
    async drop() {
      const connection = await adminConnection();
      try {
        await dropTestDatabase(connection, name);
      } finally {
        await connection.end();
      }
    },
  };
}

/**
 * Unique account names for a test that changes passwords or grants, so it
 * never disturbs a parallel test logging in as the shared default accounts.
 */
export function uniqueAccountNames(prefix: string): AccountNames {
  const base = uniqueTestName(prefix);
  return { tableCreator: `${base}_tc`, serviceUser: `${base}_su`, readOnly: `${base}_ro` };
}

/** Drops accounts made by uniqueAccountNames. */
export async function dropAccounts(names: AccountNames): Promise<void> {
  const admin = await adminConnection();
  try {
    // table_creator's role logs in only from the server's own machine (PRIVILEGED_HOSTS).
    for (const name of Object.values(names)) for (const host of ['%', 'localhost', '127.0.0.1']) await admin.query('DROP USER IF EXISTS ?@?', [name, host]);
  } finally {
    await admin.end();
  }
}
