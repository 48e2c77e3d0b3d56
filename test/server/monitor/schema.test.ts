import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MONITOR_TABLES, SCHEMA_V2_MONITOR } from '../../../src/server/db/schema-v2-monitor.js';
import { connectAs, TEST_PASSWORDS } from '../../helpers/mariadb.js';
import { createMonitorTestDb, type MonitorTestDb } from './setup.js';

let db: MonitorTestDb;
beforeAll(async () => {
  db = await createMonitorTestDb('monitor_schema');
});
afterAll(async () => {
  await db?.drop();
});

describe('migration 2 (monitor tables)', () => {
  it('creates the three tables and the single status row; re-running it changes nothing', async () => {
    const tables = await db.rows<{ name: string }>('SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME LIKE ?', [db.name, 'monitor%']);
    expect(tables.map((t) => t.name).sort()).toEqual([...MONITOR_TABLES].sort());
    await db.admin.query('UPDATE monitor_status SET polls = 41 WHERE id = 1');
    for (const [sql, values] of SCHEMA_V2_MONITOR) await db.admin.query(sql, values);
    expect(await db.rows('SELECT id, polls FROM monitor_status')).toEqual([{ id: 1, polls: 41 }]);
  });

  it('lets service_user do all the monitor does, but never DELETE', async () => {
    const su = await connectAs('service_user', TEST_PASSWORDS.serviceUser, db.name);
    try {
      await su.query("INSERT INTO monitor_notification (kind, channel, text, created_at, attempts) VALUES ('dag', 'c', 't', UTC_TIMESTAMP(), 0)");
      await su.query('UPDATE monitor_notification SET delivered_at = UTC_TIMESTAMP()');
      await expect(su.query('DELETE FROM monitor_notification')).rejects.toMatchObject({ code: 'ER_TABLEACCESS_DENIED_ERROR' });
    } finally {
      await su.end();
    }
  });
});
