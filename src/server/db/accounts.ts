import type { Connection } from 'mysql2/promise';
import type { Secret } from '../secret.js';
import { quoteIdentifier } from './migrations.js';
import { ACCOUNT_HOSTS } from './privileged-hosts.js';

/** Passwords of the Jobmon accounts; an absent one leaves that account alone. */
export interface AccountPasswords {
  tableCreator?: Secret | undefined;
  serviceUser?: Secret | undefined;
  readOnly?: Secret | undefined;
}

export type AccountRole = keyof AccountPasswords;

/** Account names per role; tests pass their own so parallel suites never share one. */
export type AccountNames = Record<AccountRole, string>;

export const DEFAULT_ACCOUNT_NAMES: AccountNames = {
  tableCreator: 'table_creator',
  serviceUser: 'service_user',
  readOnly: 'read_only',
};

/** The database privileges of each role; everything else on the database is revoked. */
export const ACCOUNT_PRIVILEGES: Record<AccountRole, readonly string[]> = {
  tableCreator: ['CREATE', 'ALTER', 'INDEX', 'INSERT', 'SELECT', 'UPDATE', 'REFERENCES'],
  serviceUser: ['SELECT', 'INSERT', 'UPDATE'],
  readOnly: ['SELECT'],
};

export interface EnsureAccountsResult {
  /** False when the connected account may not manage users (nothing was changed). */
  managed: boolean;
  /** Account names created or updated, in role order. */
  accounts: string[];
}

const ROLES: readonly AccountRole[] = ['tableCreator', 'serviceUser', 'readOnly'];

/**
 * `_` and `%` are wildcards in database-level grants: escape them so a grant
 * on `jobmon_db` does not also cover `jobmonXdb`.
 */
export function grantPattern(database: string): string {
  return quoteIdentifier(database.replace(/[\\_%]/g, (c) => `\\${c}`));
}

/** True when the session's account holds CREATE USER (or ALL) globally, with GRANT OPTION. */
export async function mayManageAccounts(connection: Connection): Promise<boolean> {
  const [rows] = await connection.query('SHOW GRANTS FOR CURRENT_USER()');
  // Each row is one GRANT statement (it may carry a password hash: never log it).
  const lines = (rows as Array<Record<string, string>>).map((row) => Object.values(row)[0] ?? '');
  return lines.some(
    (line) => / ON \*\.\* TO /.test(line) && /^GRANT (ALL PRIVILEGES|.*\bCREATE USER\b)/.test(line) && /WITH GRANT OPTION/.test(line),
  );
}

/**
 * Runs SQL that carries a password. mysql2 attaches the interpolated SQL to
 * its errors (`error.sql`), so the error is rebuilt from the server's message.
 */
async function querySecret(connection: Connection, what: string, sql: string, values: unknown[]): Promise<void> {
  try {
    await connection.query(sql, values);
  } catch (error) {
    const { code, sqlMessage } = error as { code?: string; sqlMessage?: string };
    throw Object.assign(new Error(`${what} failed: ${sqlMessage ?? code ?? 'unknown error'}`), { code });
  }
}

/** Grants exactly `privileges` on `database` to `name`@`host`, revoking any other right there. */
async function convergeGrants(connection: Connection, name: string, host: string, database: string, privileges: readonly string[]): Promise<void> {
  const user = `${connection.escape(name)}@${connection.escape(host)}`;
  const pattern = grantPattern(database);
  // Grant first, then revoke the surplus: the account never loses a right it keeps.
  await connection.query(`GRANT ${privileges.join(', ')} ON ${pattern}.* TO ${user}`);
  const grantee = `'${name.replace(/'/g, "''")}'@'${host.replace(/'/g, "''")}'`;
  const storedDb = database.replace(/[\\_%]/g, (c) => `\\${c}`);
  const [schemaRows] = await connection.query(
    'SELECT TABLE_SCHEMA AS db, PRIVILEGE_TYPE AS privilege, IS_GRANTABLE AS grantable FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = ? AND TABLE_SCHEMA IN (?, ?)',
    [grantee, storedDb, database],
  );
  const rows = schemaRows as Array<{ db: string; privilege: string; grantable: string }>;
  const ours = rows.filter((row) => row.db === storedDb);
  const surplus = ours.map((row) => row.privilege).filter((privilege) => !privileges.includes(privilege));
  if (ours.some((row) => row.grantable === 'YES')) surplus.push('GRANT OPTION');
  if (surplus.length > 0) await connection.query(`REVOKE ${surplus.join(', ')} ON ${pattern}.* FROM ${user}`);
  // An older unescaped grant (`jobmon_db`.*) is a separate row that also matches this database.
  if (storedDb !== database && rows.some((row) => row.db === database)) {
    await revokeAll(connection, `${quoteIdentifier(database)}.*`, user);
  }
  // Table and column grants on this database would widen the account too.
  const [tableRows] = await connection.query(
    `SELECT TABLE_NAME AS name FROM information_schema.TABLE_PRIVILEGES WHERE GRANTEE = ? AND TABLE_SCHEMA = ?
     UNION SELECT TABLE_NAME FROM information_schema.COLUMN_PRIVILEGES WHERE GRANTEE = ? AND TABLE_SCHEMA = ?`,
    [grantee, database, grantee, database],
  );
  for (const { name: table } of tableRows as Array<{ name: string }>) {
    await revokeAll(connection, `${quoteIdentifier(database)}.${quoteIdentifier(table)}`, user);
  }
}

const ER_NONEXISTING_GRANT = 1141;
const ER_NONEXISTING_TABLE_GRANT = 1147;

/** Revokes every privilege on `target`; GRANT OPTION separately, as only the global form takes both. */
async function revokeAll(connection: Connection, target: string, user: string): Promise<void> {
  for (const what of ['ALL PRIVILEGES', 'GRANT OPTION']) {
    await connection.query(`REVOKE ${what} ON ${target} FROM ${user}`).catch((error: { errno?: number }) => {
      if (error.errno !== ER_NONEXISTING_GRANT && error.errno !== ER_NONEXISTING_TABLE_GRANT) throw error;
    });
  }
}

/**
 * Creates or updates the Jobmon accounts (`<name>`@`%`) whose password is
 * given, and converges their rights on `database` to least privilege. When
 * the connected account may not manage users, changes nothing and says so.
 */
export async function ensureAccounts(
  connection: Connection,
  database: string,
  passwords: AccountPasswords,
  log: (line: string) => void = () => undefined,
  names: AccountNames = DEFAULT_ACCOUNT_NAMES,
): Promise<EnsureAccountsResult> {
  const roles = ROLES.filter((role) => passwords[role] !== undefined);
  if (roles.length === 0) {
    log('no account passwords given; accounts left as they are');
    return { managed: false, accounts: [] };
  }
  if (!(await mayManageAccounts(connection))) {
    log('the connected account may not create users; skipping account management');
    return { managed: false, accounts: [] };
  }
  const accounts: string[] = [];
  for (const role of roles) {
    const name = names[role];
    const password = passwords[role]?.reveal() ?? '';
    const hosts = ACCOUNT_HOSTS[role];
    for (const host of hosts) {
      // Client-side escaping (query, not execute): CREATE/ALTER USER take no server-side parameters.
      await querySecret(connection, `creating account ${name}@${host}`, 'CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?', [name, host, password]);
      await querySecret(connection, `setting the password of ${name}@${host}`, 'ALTER USER ?@? IDENTIFIED BY ?', [name, host, password]);
      await convergeGrants(connection, name, host, database, ACCOUNT_PRIVILEGES[role]);
    }
    // An earlier release made every account for '%'; a privileged one loses that login.
    if (!hosts.includes('%')) await connection.query("DROP USER IF EXISTS ?@'%'", [name]);
    log(`account ${name}: ${ACCOUNT_PRIVILEGES[role].join(', ')} on ${database}${hosts.includes('%') ? '' : `, from ${hosts.join(', ')} only`}`);
    accounts.push(name);
  }
  return { managed: true, accounts };
}

