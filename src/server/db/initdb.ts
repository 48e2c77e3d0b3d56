import type { Connection } from 'mysql2/promise';
import type { Secret } from '../secret.js';
import { ensureAccounts, type AccountNames, type AccountPasswords, type EnsureAccountsResult } from './accounts.js';
import { migrate, quoteIdentifier, type MigrateResult } from './migrations.js';
import { connect, isUnavailableError } from './pool.js';
import { confineAdmin } from './privileged-hosts.js';

/** Where initdb connects, and as whom (DB_HOST, DB_PORT, DB_USER, DB_PASS, DB_NAME). */
export interface InitdbSettings {
  host: string;
  port: number;
  user: string;
  password: Secret;
  /** The Jobmon database; `docker` in the original deployment. */
  database: string;
  /** Keep retrying an unreachable server this long (a database container still starting). Default 0. */
  waitMs?: number;
  /** Account names; only tests change them. */
  accountNames?: AccountNames;
}

export interface InitdbResult {
  database: string;
  /** False when the database already existed. */
  createdDatabase: boolean;
  accounts: EnsureAccountsResult;
  schema: MigrateResult;
  /** True when the schema was already at the latest version. */
  noop: boolean;
}

/** An initdb failure whose message names the step and never carries a password. */
export class InitdbError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'InitdbError';
  }
}

const RETRY_INTERVAL_MS = 1_000;

async function connectServer(settings: InitdbSettings, log: (line: string) => void): Promise<Connection> {
  const deadline = Date.now() + (settings.waitMs ?? 0);
  const where = `${settings.user}@${settings.host}:${settings.port}`;
  let said = false;
  for (;;) {
    try {
      return await connect({ host: settings.host, port: settings.port, user: settings.user, password: settings.password.reveal() });
    } catch (error) {
      const { code, message } = error as { code?: string; message?: string };
      // A wrong password will not fix itself: only network-level failures are retried.
      const retry = isUnavailableError(error) && code !== 'ER_ACCESS_DENIED_ERROR' && Date.now() < deadline;
      if (!retry) throw new InitdbError(`cannot connect to MariaDB as ${where}: ${message ?? code ?? 'unknown error'}`, code);
      if (!said) log(`waiting for MariaDB at ${settings.host}:${settings.port} (${code})`);
      said = true;
      await new Promise((resolve) => setTimeout(resolve, RETRY_INTERVAL_MS));
    }
  }
}

/** Runs one step, turning a database error into an InitdbError that names the step. */
async function step<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof InitdbError) throw error;
    const { code, sqlMessage, message } = error as { code?: string; sqlMessage?: string; message?: string };
    throw new InitdbError(`${what} failed: ${sqlMessage ?? message ?? code ?? 'unknown error'}`, code);
  }
}

/**
 * `jobmon-server initdb`: creates the database if missing, creates or updates
 * the Jobmon accounts when the connected account may manage users, then
 * migrates the schema to SCHEMA_VERSION. Safe to run again (a no-op that says
 * so) and concurrently (migrations hold a named lock).
 */
export async function runInitdb(settings: InitdbSettings, passwords: AccountPasswords, log: (line: string) => void): Promise<InitdbResult> {
  const { database } = settings;
  const connection = await connectServer(settings, log);
  try {
    const createdDatabase = await step(`creating database ${database}`, async () => {
      const [result] = await connection.query(
        `CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(database)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
      );
      // 1 affected row when created, 0 (and a warning) when it existed.
      return (result as { affectedRows?: number }).affectedRows === 1;
    });
    log(createdDatabase ? `created database ${database}` : `database ${database} exists`);
    // Accounts before schema: once the schema version is recorded, services
    // that wait for it can log in.
    const accounts = await step('managing accounts', () => ensureAccounts(connection, database, passwords, log, settings.accountNames));
    // A deployment's initdb logs in as root: from now on root, like table_creator, logs in only from the DB container.
    if (settings.user === 'root' && accounts.managed) await step('confining root', () => confineAdmin(connection, settings.user, settings.password, log));
    const schema = await step('migrating the schema', () => migrate(connection, database, log));
    return { database, createdDatabase, accounts, schema, noop: schema.from === schema.to };
  } finally {
    await connection.end().catch(() => undefined);
  }
}
