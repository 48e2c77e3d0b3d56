import { afterAll, describe, expect, it } from 'vitest';
import { runInitdb } from '../../../src/server/db/initdb.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../../src/server/db/migrations.js';
import { Secret } from '../../../src/server/secret.js';
import {
  adminConnection, connectAs, dropAccounts, dropTestDatabase, TEST_DB, TEST_PASSWORDS, testAccountPasswords, uniqueAccountNames, uniqueTestName,
} from '../../helpers/mariadb.js';

describe('three concurrent initdb runs on a fresh database', () => {
  // Neither the database nor the accounts exist beforehand; the accounts are this test's own.
  const database = uniqueTestName('initdb_race');
  const names = uniqueAccountNames('initdb_race');
  afterAll(async () => {
    const admin = await adminConnection();
    try {
      await dropTestDatabase(admin, database);
    } finally {
      await admin.end();
    }
    await dropAccounts(names);
  });

  it('all succeed, exactly one applies the migrations, and the result is one schema and working accounts', async () => {
    const logs: string[][] = [[], [], []];
    const settings = { ...TEST_DB, password: new Secret(TEST_DB.password), database, accountNames: names };
    const results = await Promise.all(logs.map((log) => runInitdb(settings, testAccountPasswords(), (line) => log.push(line))));

    expect(results.filter((result) => !result.noop)).toHaveLength(1);
    expect(results.map((result) => result.schema.from).sort()).toEqual([0, SCHEMA_VERSION, SCHEMA_VERSION]);
    expect(results.every((result) => result.schema.to === SCHEMA_VERSION)).toBe(true);
    expect(results.filter((result) => result.createdDatabase)).toHaveLength(1);
    for (const result of results) {
      expect(result.accounts).toEqual({ managed: true, accounts: [names.tableCreator, names.serviceUser, names.readOnly] });
    }
    const applied = logs.filter((log) => log.at(-1) === `schema migrated from version 0 to ${SCHEMA_VERSION}`);
    const skipped = logs.filter((log) => log.at(-1) === `schema already at version ${SCHEMA_VERSION}; nothing to do`);
    expect([applied.length, skipped.length]).toEqual([1, 2]);

    const admin = await adminConnection(database);
    try {
      const [versions] = await admin.query('SELECT version FROM schema_migrations ORDER BY version');
      expect(versions).toEqual(MIGRATIONS.map((migration) => ({ version: migration.version })));
      const [tables] = await admin.query('SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [database]);
      expect(Number((tables as Array<{ n: number }>)[0]?.n)).toBe(20);
      // Seed rows were inserted once, not three times.
      const [seeds] = await admin.query('SELECT COUNT(*) AS n FROM job_status');
      expect(Number((seeds as Array<{ n: number }>)[0]?.n)).toBe(7);
    } finally {
      await admin.end();
    }
    const serviceUser = await connectAs(names.serviceUser, TEST_PASSWORDS.serviceUser, database);
    try {
      await serviceUser.query("INSERT INTO task_dag (name) VALUES ('race')");
      await expect(serviceUser.query('DELETE FROM task_dag')).rejects.toMatchObject({ code: 'ER_TABLEACCESS_DENIED_ERROR' });
    } finally {
      await serviceUser.end();
    }
  });
});
