import type { Connection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAccounts, grantPattern, type AccountNames } from '../../../src/server/db/accounts.js';
import { migrate } from '../../../src/server/db/migrations.js';
import { Secret } from '../../../src/server/secret.js';
import {
  adminConnection, connectAs, createTestDatabase, dropAccounts, quoteId, uniqueAccountNames, type TestDatabase,
} from '../../helpers/mariadb.js';

const PASS = { tableCreator: 'tc-pw-accounts-1', serviceUser: 'su-pw-accounts-1', readOnly: 'ro-pw-accounts-1' };
const secrets = (pass: Partial<typeof PASS>) =>
  Object.fromEntries(Object.entries(pass).map(([role, value]) => [role, new Secret(value)]));

/** 'ok' when the statement ran, else the server's error code: proof by trying. */
async function attempt(connection: Connection, sql: string): Promise<string> {
  try {
    await connection.query(sql);
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

describe('ensureAccounts', () => {
  let db: TestDatabase;
  let admin: Connection;
  let names: AccountNames;
  const lines: string[] = [];
  const open: Connection[] = [];
  const login = async (user: string, password: string) => {
    const connection = await connectAs(user, password, db.name);
    open.push(connection);
    return connection;
  };

  beforeAll(async () => {
    db = await createTestDatabase('accounts');
    names = uniqueAccountNames('acc');
    admin = await adminConnection();
    await migrate(admin, db.name, () => undefined);
    await admin.query('INSERT INTO task_dag (dag_hash, name) VALUES (?, ?)', ['h', 'seeded']);
    // A stale, too-wide grant from an earlier deployment must be taken away.
    await admin.query("CREATE USER ?@'%' IDENTIFIED BY 'old-password'", [names.serviceUser]);
    await admin.query(`GRANT SELECT, DELETE, DROP ON ${quoteId(db.name)}.* TO ?@'%' WITH GRANT OPTION`, [names.serviceUser]);
    await admin.query(`GRANT DELETE ON ${quoteId(db.name)}.job TO ?@'%'`, [names.serviceUser]);
    await admin.query("CREATE USER ?@'%' IDENTIFIED BY 'old-password'", [names.readOnly]);
    // As an earlier release made it: open to any host.
    await admin.query("CREATE USER ?@'%' IDENTIFIED BY 'old-password'", [names.tableCreator]);
    await admin.query(`GRANT SELECT, INSERT, UPDATE ON ${grantPattern(db.name)}.* TO ?@'%' WITH GRANT OPTION`, [names.readOnly]);
    const result = await ensureAccounts(admin, db.name, secrets(PASS), (line) => lines.push(line), names);
    expect(result).toEqual({ managed: true, accounts: [names.tableCreator, names.serviceUser, names.readOnly] });
  });
  afterAll(async () => {
    await Promise.all(open.map((connection) => connection.end().catch(() => undefined)));
    await admin?.end();
    await db?.drop();
    if (names) await dropAccounts(names);
  });

  it('read_only can SELECT but not INSERT, UPDATE or DELETE (stale grants revoked)', async () => {
    const ro = await login(names.readOnly, PASS.readOnly);
    expect(await attempt(ro, 'SELECT COUNT(*) FROM task_dag')).toBe('ok');
    expect(await attempt(ro, "INSERT INTO task_dag (name) VALUES ('x')")).toBe('ER_TABLEACCESS_DENIED_ERROR');
    expect(await attempt(ro, "UPDATE task_dag SET name = 'y'")).toBe('ER_TABLEACCESS_DENIED_ERROR');
    expect(await attempt(ro, 'DELETE FROM task_dag')).toBe('ER_TABLEACCESS_DENIED_ERROR');
  });

  it('service_user can SELECT, INSERT and UPDATE but not DELETE, DROP or CREATE (stale grants revoked)', async () => {
    const su = await login(names.serviceUser, PASS.serviceUser);
    expect(await attempt(su, 'SELECT COUNT(*) FROM task_dag')).toBe('ok');
    expect(await attempt(su, "INSERT INTO task_dag (name) VALUES ('by service_user')")).toBe('ok');
    expect(await attempt(su, "UPDATE task_dag SET name = 'renamed' WHERE name = 'by service_user'")).toBe('ok');
    expect(await attempt(su, 'DELETE FROM task_dag')).toBe('ER_TABLEACCESS_DENIED_ERROR');
    expect(await attempt(su, 'DELETE FROM job')).toBe('ER_TABLEACCESS_DENIED_ERROR');
    expect(await attempt(su, 'DROP TABLE job_instance_error_log')).toBe('ER_TABLEACCESS_DENIED_ERROR');
    expect(await attempt(su, 'CREATE TABLE sneaky (id INT)')).toBe('ER_TABLEACCESS_DENIED_ERROR');
    expect(await attempt(su, 'TRUNCATE TABLE job_instance_error_log')).toBe('ER_TABLEACCESS_DENIED_ERROR');
    const [grants] = await su.query('SHOW GRANTS');
    const text = (grants as Array<Record<string, string>>).map((row) => Object.values(row)[0]).join('\n');
    expect(text).not.toMatch(/GRANT OPTION|DELETE|DROP/);
  });

  it('table_creator can create and alter tables, but not drop them or delete rows', async () => {
    const tc = await login(names.tableCreator, PASS.tableCreator);
    expect(await attempt(tc, 'CREATE TABLE made_by_creator (id INT PRIMARY KEY)')).toBe('ok');
    expect(await attempt(tc, 'ALTER TABLE made_by_creator ADD COLUMN note VARCHAR(10)')).toBe('ok');
    expect(await attempt(tc, 'CREATE INDEX ix_note ON made_by_creator (note)')).toBe('ok');
    expect(await attempt(tc, 'DROP TABLE made_by_creator')).toBe('ER_TABLEACCESS_DENIED_ERROR');
    expect(await attempt(tc, 'DELETE FROM task_dag')).toBe('ER_TABLEACCESS_DENIED_ERROR');
  });

  it('grants cover this database only, not one its name matches as a LIKE pattern', async () => {
    // `_` is a wildcard in database grants; the grant must be escaped.
    const lookalike = db.name.replace('_', 'x');
    await admin.query(`CREATE DATABASE ${quoteId(lookalike)}`);
    try {
      await admin.query(`CREATE TABLE ${quoteId(lookalike)}.t (id INT)`);
      const ro = await login(names.readOnly, PASS.readOnly);
      expect(await attempt(ro, `SELECT * FROM ${quoteId(lookalike)}.t`)).toBe('ER_TABLEACCESS_DENIED_ERROR');
    } finally {
      await admin.query(`DROP DATABASE ${quoteId(lookalike)}`);
    }
  });

  it('re-running with a new password changes it; an account without a password is left alone', async () => {
    const result = await ensureAccounts(admin, db.name, secrets({ readOnly: 'ro-pw-accounts-2' }), () => undefined, names);
    expect(result.accounts).toEqual([names.readOnly]);
    await expect(connectAs(names.readOnly, PASS.readOnly, db.name)).rejects.toMatchObject({ code: 'ER_ACCESS_DENIED_ERROR' });
    const ro = await login(names.readOnly, 'ro-pw-accounts-2');
    expect(await attempt(ro, 'SELECT 1 FROM task_dag')).toBe('ok');
    expect(await attempt(ro, "INSERT INTO task_dag (name) VALUES ('x')")).toBe('ER_TABLEACCESS_DENIED_ERROR');
    expect(await attempt(await login(names.serviceUser, PASS.serviceUser), 'SELECT 1')).toBe('ok');
  });

  it('makes table_creator only for the server\'s own machine and drops its \'%\' login; the others stay open to any host', async () => {
    const hosts = async (name: string) => ((await admin.query('SELECT Host AS host FROM mysql.user WHERE User = ? ORDER BY Host', [name]))[0] as Array<{ host: string }>).map((r) => r.host);
    expect(await hosts(names.tableCreator)).toEqual(['127.0.0.1', 'localhost']);
    expect(await hosts(names.serviceUser)).toEqual(['%']);
    expect(await hosts(names.readOnly)).toEqual(['%']);
    expect(lines).toContain(`account ${names.tableCreator}: CREATE, ALTER, INDEX, INSERT, SELECT, UPDATE, REFERENCES on ${db.name}, from localhost, 127.0.0.1 only`);
  });

  it('logs what it did and never a password', () => {
    expect(lines).toContain(`account ${names.serviceUser}: SELECT, INSERT, UPDATE on ${db.name}`);
    expect(lines).toContain(`account ${names.readOnly}: SELECT on ${db.name}`);
    for (const password of Object.values(PASS)) expect(lines.join('\n')).not.toContain(password);
  });

  it('skips account management, and says so, when the connected account may not create users', async () => {
    const su = await login(names.serviceUser, PASS.serviceUser);
    const log: string[] = [];
    const result = await ensureAccounts(su, db.name, secrets({ readOnly: 'never-set' }), (line) => log.push(line), names);
    expect(result).toEqual({ managed: false, accounts: [] });
    expect(log).toEqual(['the connected account may not create users; skipping account management']);
    expect(await attempt(await login(names.readOnly, 'ro-pw-accounts-2'), 'SELECT 1')).toBe('ok');
  });
});
