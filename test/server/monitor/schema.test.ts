import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MONITOR_TABLES, SCHEMA_V2_MONITOR } from '../../../src/server/db/schema-v2-monitor.js';
import { SCHEMA_V3_OUTBOX_FAILED } from '../../../src/server/db/schema-v3-outbox-failed.js';
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

  it('migration 3 adds the nullable refusals and failed_at and their index; re-running it changes nothing', async () => {
    await db.admin.query("INSERT INTO monitor_notification (kind, channel, text, created_at, attempts) VALUES ('dag', 'c', 'queued by a 2-build', UTC_TIMESTAMP(), 0)");
    const shape = () =>
      db.rows(
        `SELECT COLUMN_NAME AS c, COLUMN_TYPE AS type, IS_NULLABLE AS nullable, COLUMN_DEFAULT AS dflt FROM information_schema.COLUMNS
         WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'monitor_notification' AND COLUMN_NAME IN ('refusals', 'failed_at') ORDER BY COLUMN_NAME`,
        [db.name],
      );
    const before = await shape();
    expect(before).toEqual([
      { c: 'failed_at', type: 'datetime', nullable: 'YES', dflt: 'NULL' },
      { c: 'refusals', type: 'int(11)', nullable: 'YES', dflt: 'NULL' },
    ]);
    for (const [sql, values] of SCHEMA_V3_OUTBOX_FAILED) await db.admin.query(sql, values);
    expect(await shape()).toEqual(before);
    const indexes = await db.rows<{ k: string }>("SELECT DISTINCT INDEX_NAME AS k FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'monitor_notification'", [db.name]);
    expect(indexes.map((i) => i.k)).toContain('ix_monitor_notification_open');
    expect(await db.rows("SELECT refusals, failed_at FROM monitor_notification WHERE text = 'queued by a 2-build'")).toEqual([{ refusals: null, failed_at: null }]);
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
