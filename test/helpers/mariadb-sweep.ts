import type { Connection } from 'mysql2/promise';
import { dropTestDatabase, SWEEP_AGE_MS, testNameTime } from './mariadb.js';

/** True for a test name older than SWEEP_AGE_MS (or one without a time: never a live run's). */
function isStale(name: string, now: number): boolean {
  const time = testNameTime(name);
  return time === undefined || now - time > SWEEP_AGE_MS;
}

/**
 * Drops the `jt_%` databases, their grants and the `jt_%` accounts that
 * earlier runs left behind (a crashed or killed run never reaches its
 * afterAll). Young ones are kept: they may belong to a run going on now.
 * Returns how many things it removed.
 */
export async function sweepLeftovers(admin: Connection, now = Date.now()): Promise<number> {
  let swept = 0;
  const [databases] = await admin.query("SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'jt\\_%'");
  for (const { name } of databases as Array<{ name: string }>) {
    if (!isStale(name, now)) continue;
    await dropTestDatabase(admin, name);
    swept += 1;
  }
  // Grants outlive their database; collect those whose database is gone.
  const [grants] = await admin.query(
    `SELECT DISTINCT TABLE_SCHEMA AS db FROM information_schema.SCHEMA_PRIVILEGES
     WHERE TABLE_SCHEMA LIKE 'jt%' AND REPLACE(TABLE_SCHEMA, '\\\\', '') NOT IN (SELECT SCHEMA_NAME FROM information_schema.SCHEMATA)`,
  );
  for (const { db } of grants as Array<{ db: string }>) {
    const name = db.replace(/\\(.)/g, '$1');
    if (isStale(name, now)) await dropTestDatabase(admin, name);
  }
  const [users] = await admin.query("SELECT DISTINCT User AS name FROM mysql.user WHERE User LIKE 'jt\\_%'");
  for (const { name } of users as Array<{ name: string }>) {
    if (!isStale(name, now)) continue;
    for (const host of ['%', 'localhost', '127.0.0.1']) await admin.query('DROP USER IF EXISTS ?@?', [name, host]);
    swept += 1;
  }
  return swept;
}
