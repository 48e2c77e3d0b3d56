import { describe, expect, it } from 'vitest';
import { adminConnection, quoteId, SWEEP_AGE_MS, testNameTime, uniqueTestName } from './mariadb.js';
import { sweepLeftovers } from './mariadb-sweep.js';

describe('sweepLeftovers', () => {
  it('drops old test databases, their orphaned grants and old test accounts, and keeps young ones', async () => {
    const oldTime = (Date.now() - SWEEP_AGE_MS - 60_000).toString(36);
    const oldDb = `jt_sweep_${oldTime}_a1b2c3`;
    const goneDb = `jt_sweep_${oldTime}_d4e5f6`;
    const oldUser = `jt_sweep_${oldTime}_0a0b0c_su`;
    const youngDb = uniqueTestName('sweep');
    const youngUser = uniqueTestName('sweep');
    expect(testNameTime(oldUser)).toBe(parseInt(oldTime, 36));
    const admin = await adminConnection();
    const exists = async (sql: string, value: string) =>
      ((await admin.query(sql, [value]))[0] as unknown[]).length > 0;
    try {
      await admin.query(`CREATE DATABASE ${quoteId(oldDb)}`);
      await admin.query(`CREATE DATABASE ${quoteId(youngDb)}`);
      await admin.query("CREATE USER ?@'%' IDENTIFIED BY 'sweep-test'", [oldUser]);
      // A grant whose database is already gone (MariaDB keeps it).
      await admin.query("CREATE USER ?@'%' IDENTIFIED BY 'sweep-test'", [youngUser]);
      await admin.query(`GRANT SELECT ON ${quoteId(goneDb.replace(/_/g, '\\_'))}.* TO ?@'%'`, [youngUser]);
      await sweepLeftovers(admin);
      const schema = 'SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?';
      expect(await exists(schema, oldDb)).toBe(false);
      expect(await exists(schema, youngDb)).toBe(true);
      expect(await exists('SELECT 1 FROM mysql.user WHERE User = ?', oldUser)).toBe(false);
      expect(await exists('SELECT 1 FROM mysql.user WHERE User = ?', youngUser)).toBe(true);
      expect(await exists('SELECT 1 FROM information_schema.SCHEMA_PRIVILEGES WHERE TABLE_SCHEMA = ?', goneDb.replace(/_/g, '\\_'))).toBe(false);
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${quoteId(youngDb)}`);
      await admin.query(`DROP DATABASE IF EXISTS ${quoteId(oldDb)}`);
      for (const user of [oldUser, youngUser]) await admin.query("DROP USER IF EXISTS ?@'%'", [user]);
      await admin.end();
    }
  });
});
