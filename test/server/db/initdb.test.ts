import { createServer } from 'node:net';
import { format, inspect } from 'node:util';
import type { Connection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ACCOUNT_NAMES, ensureAccounts } from '../../../src/server/db/accounts.js';
import { runInitdb, InitdbError, type InitdbSettings } from '../../../src/server/db/initdb.js';
import { SCHEMA_VERSION } from '../../../src/server/db/migrations.js';
import { Secret } from '../../../src/server/secret.js';
import {
  adminConnection, connectAs, createTestDatabase, dropTestDatabase, TEST_DB, TEST_PASSWORDS, testAccountPasswords, uniqueTestName,
} from '../../helpers/mariadb.js';

const asAdmin = (database: string): InitdbSettings => ({ ...TEST_DB, password: new Secret(TEST_DB.password), database });

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('runInitdb as an admin account', () => {
  // Not created beforehand: initdb must create it.
  const database = uniqueTestName('initdb');
  const lines: string[] = [];
  let admin: Connection;

  beforeAll(async () => {
    admin = await adminConnection();
  });
  afterAll(async () => {
    await dropTestDatabase(admin, database);
    await admin.end();
  });

  it('creates the database, the three accounts and the schema', async () => {
    const result = await runInitdb(asAdmin(database), testAccountPasswords(), (line) => lines.push(line));
    expect(result).toEqual({
      database,
      createdDatabase: true,
      accounts: { managed: true, accounts: ['table_creator', 'service_user', 'read_only'] },
      schema: { from: 0, to: SCHEMA_VERSION },
      noop: false,
    });
    expect(lines[0]).toBe(`created database ${database}`);
    expect(lines.at(-1)).toBe(`schema migrated from version 0 to ${SCHEMA_VERSION}`);
    const su = await connectAs(DEFAULT_ACCOUNT_NAMES.serviceUser, TEST_PASSWORDS.serviceUser, database);
    const ro = await connectAs(DEFAULT_ACCOUNT_NAMES.readOnly, TEST_PASSWORDS.readOnly, database);
    try {
      const [rows] = await su.query('SELECT COUNT(*) AS n FROM job_status');
      expect(Number((rows as Array<{ n: number }>)[0]?.n)).toBe(7);
      await su.query("INSERT INTO task_dag (name) VALUES ('initdb')");
      await expect(su.query('DELETE FROM task_dag')).rejects.toMatchObject({ code: 'ER_TABLEACCESS_DENIED_ERROR' });
      await expect(ro.query("INSERT INTO task_dag (name) VALUES ('x')")).rejects.toMatchObject({ code: 'ER_TABLEACCESS_DENIED_ERROR' });
    } finally {
      await Promise.all([su.end(), ro.end()]);
    }
  });

  it('running again is a no-op that says so', async () => {
    const again: string[] = [];
    const result = await runInitdb(asAdmin(database), testAccountPasswords(), (line) => again.push(line));
    expect(result).toMatchObject({ createdDatabase: false, noop: true, schema: { from: SCHEMA_VERSION, to: SCHEMA_VERSION } });
    expect(again).toContain(`database ${database} exists`);
    expect(again.at(-1)).toBe(`schema already at version ${SCHEMA_VERSION}; nothing to do`);
  });

  it('never logs a password', () => {
    for (const password of Object.values(TEST_PASSWORDS)) expect(lines.join('\n')).not.toContain(password);
  });
});

describe('runInitdb as table_creator (no right to manage users)', () => {
  it('migrates a fresh database with only its schema rights and skips the accounts', async () => {
    const db = await createTestDatabase('initdb_tc');
    const admin = await adminConnection();
    try {
      await ensureAccounts(admin, db.name, { tableCreator: new Secret(TEST_PASSWORDS.tableCreator) });
      const log: string[] = [];
      const settings = { ...asAdmin(db.name), user: 'table_creator', password: new Secret(TEST_PASSWORDS.tableCreator) };
      const result = await runInitdb(settings, testAccountPasswords(), (line) => log.push(line));
      expect(result).toMatchObject({ createdDatabase: false, accounts: { managed: false }, schema: { from: 0, to: SCHEMA_VERSION } });
      expect(log).toContain('the connected account may not create users; skipping account management');
    } finally {
      await admin.end();
      await db.drop();
    }
  });
});

describe('runInitdb failures', () => {
  it('a wrong password fails with an error that does not contain it', async () => {
    const sentinel = 'Sentinel-Wrong-Password-7731';
    const settings = { ...asAdmin('jt_never_created'), password: new Secret(sentinel) };
    const error = await runInitdb(settings, testAccountPasswords(), () => undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InitdbError);
    expect((error as InitdbError).message).toMatch(/^cannot connect to MariaDB as jobmon_admin@127\.0\.0\.1:\d+: Access denied/);
    expect((error as InitdbError).code).toBe('ER_ACCESS_DENIED_ERROR');
    for (const shown of [String(error), (error as Error).stack, inspect(error), JSON.stringify(error), JSON.stringify(settings)]) {
      expect(shown).not.toContain(sentinel);
    }
  });

  it('an unreachable server is retried for waitMs, then named in the error', async () => {
    const port = await freePort();
    const log: string[] = [];
    const started = Date.now();
    const settings = { ...asAdmin('jt_never_created'), port, waitMs: 1_500 };
    await expect(runInitdb(settings, {}, (line) => log.push(line))).rejects.toThrow(
      new RegExp(`cannot connect to MariaDB as jobmon_admin@127.0.0.1:${port}: .*ECONNREFUSED`),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
    expect(log).toEqual([`waiting for MariaDB at 127.0.0.1:${port} (ECONNREFUSED)`]);
  });
});

describe('Secret', () => {
  it('shows [REDACTED] however it is printed, and the value only through reveal()', () => {
    const secret = new Secret('Sentinel-Secret-Value-9042');
    const shown = [
      String(secret), `${secret}`, JSON.stringify(secret), JSON.stringify({ nested: { secret } }), inspect(secret),
      inspect({ secret }, { depth: 5, showHidden: true }), format('%s %o %O %j', secret, secret, secret, secret),
    ];
    for (const text of shown) {
      expect(text).not.toContain('Sentinel-Secret-Value-9042');
      expect(text).toContain('[REDACTED]');
    }
    expect(Object.keys(secret)).toEqual([]);
    expect(secret.reveal()).toBe('Sentinel-Secret-Value-9042');
  });
});
