import type { Connection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate, SCHEMA_VERSION, schemaVersion, waitForSchemaVersion } from '../../../src/server/db/migrations.js';
import { JOBMON_TABLES } from '../../../src/server/db/schema-v1.js';
import { adminConnection, createTestDatabase, type TestDatabase } from '../../helpers/mariadb.js';

const rowsOf = async <T>(connection: Connection, sql: string, values: unknown[] = []): Promise<T[]> =>
  (await connection.query(sql, values))[0] as T[];

describe('migrate on a fresh database', () => {
  let db: TestDatabase;
  let admin: Connection;
  const lines: string[] = [];
  let first: { from: number; to: number };

  beforeAll(async () => {
    db = await createTestDatabase('migrations');
    admin = await adminConnection();
    first = await migrate(admin, db.name, (line) => lines.push(line));
  });
  afterAll(async () => {
    await admin?.end();
    await db?.drop();
  });

  it('creates exactly the 16 Jobmon tables plus schema_migrations and the monitor\'s 3, all InnoDB utf8mb4', async () => {
    expect(first).toEqual({ from: 0, to: SCHEMA_VERSION });
    const tables = await rowsOf<{ name: string; engine: string; collation: string }>(
      admin,
      'SELECT TABLE_NAME AS name, ENGINE AS engine, TABLE_COLLATION AS collation FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?',
      [db.name],
    );
    expect(tables.map((t) => t.name).sort()).toEqual(
      [
        'job', 'job_attribute', 'job_attribute_type', 'job_instance', 'job_instance_error_log', 'job_instance_status',
        'job_status', 'schema_migrations', 'task_dag', 'workflow', 'workflow_attribute', 'workflow_attribute_type',
        'workflow_run', 'workflow_run_attribute', 'workflow_run_attribute_type', 'workflow_run_status', 'workflow_status',
        // migration 2: the monitor's outbox, episodes and last poll
        'monitor_episode', 'monitor_notification', 'monitor_status',
      ].sort(),
    );
    expect(JOBMON_TABLES).toHaveLength(16);
    for (const table of tables) {
      expect(table.engine).toBe('InnoDB');
      expect(table.collation).toMatch(/^utf8mb4_/);
    }
  });

  it('has the spec columns, types and NOT NULLs (job and job_instance in full)', async () => {
    const columns = await rowsOf<{ t: string; c: string; type: string; nullable: string; dflt: string | null }>(
      admin,
      `SELECT TABLE_NAME AS t, COLUMN_NAME AS c, COLUMN_TYPE AS type, IS_NULLABLE AS nullable, COLUMN_DEFAULT AS dflt
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION`,
      [db.name],
    );
    const describe = (table: string) =>
      columns.filter((col) => col.t === table).map((col) => `${col.c} ${col.type}${col.nullable === 'NO' ? ' NN' : ''}`);
    expect(describe('job')).toEqual([
      'job_id int(11) NN', 'dag_id int(11)', 'job_hash varchar(255) NN', 'name varchar(255)', 'tag varchar(255)',
      'command text', 'context_args varchar(1000)', 'queue varchar(255)', 'slots int(11)', 'mem_free varchar(255)',
      'num_cores int(11)', 'j_resource tinyint(1)', 'max_runtime_seconds int(11)', 'num_attempts int(11)',
      'max_attempts int(11)', 'status varchar(1) NN', 'submitted_date datetime', 'status_date datetime',
    ]);
    expect(describe('job_instance')).toEqual([
      'job_instance_id int(11) NN', 'workflow_run_id int(11)', 'executor_type varchar(50)', 'executor_id int(11)',
      'job_id int(11) NN', 'dag_id int(11) NN', 'usage_str varchar(250)', 'nodename varchar(50)',
      'process_group_id int(11)', 'wallclock varchar(50)', 'maxrss varchar(50)', 'cpu varchar(50)', 'io varchar(50)',
      'status varchar(1) NN', 'submitted_date datetime', 'status_date datetime',
    ]);
    expect(describe('task_dag')).toEqual([
      'dag_id int(11) NN', 'dag_hash varchar(150)', 'name varchar(150)', 'user varchar(150)',
      'heartbeat_date datetime', 'created_date datetime',
    ]);
    expect(describe('workflow_run').map((col) => col.split(' ')[0])).toEqual([
      'id', 'workflow_id', 'user', 'hostname', 'pid', 'stderr', 'stdout', 'project', 'working_dir', 'slack_channel',
      'executor_class', 'created_date', 'status_date', 'status',
    ]);
    expect(describe('workflow_status')).toEqual(['id varchar(1) NN', 'label varchar(150) NN']);
    // The original's defaults are application-side only (spec §4).
    expect(columns.filter((col) => col.dflt !== null && col.dflt !== 'NULL')).toEqual([]);
  });

  it('has the spec indexes: executor_id indexed non-unique, dag_id indexed (case 37)', async () => {
    const indexes = await rowsOf<{ t: string; name: string; col: string; nonUnique: number }>(
      admin,
      `SELECT TABLE_NAME AS t, INDEX_NAME AS name, GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX) AS col, MAX(NON_UNIQUE) AS nonUnique
       FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND INDEX_NAME LIKE 'ix\\_%' AND TABLE_NAME NOT LIKE 'monitor\\_%'
       GROUP BY TABLE_NAME, INDEX_NAME
       ORDER BY TABLE_NAME, INDEX_NAME`,
      [db.name],
    );
    expect(indexes.map((ix) => ({ ...ix, nonUnique: Number(ix.nonUnique) }))).toEqual([
      { t: 'job', name: 'ix_dag_id_status_date', col: 'dag_id,status_date', nonUnique: 1 },
      { t: 'job', name: 'ix_job_status_date', col: 'status_date', nonUnique: 1 },
      { t: 'job_instance', name: 'ix_job_instance_dag_id', col: 'dag_id', nonUnique: 1 },
      { t: 'job_instance', name: 'ix_job_instance_executor_id', col: 'executor_id', nonUnique: 1 },
    ]);
  });

  it('has the spec foreign keys, and none on job_instance.workflow_run_id', async () => {
    const fks = await rowsOf<{ fk: string }>(
      admin,
      `SELECT CONCAT(TABLE_NAME, '.', COLUMN_NAME, '->', REFERENCED_TABLE_NAME, '.', REFERENCED_COLUMN_NAME) AS fk
       FROM information_schema.KEY_COLUMN_USAGE
       WHERE TABLE_SCHEMA = ? AND REFERENCED_TABLE_NAME IS NOT NULL AND TABLE_NAME NOT LIKE 'monitor\\_%' ORDER BY fk`,
      [db.name],
    );
    expect(fks.map((row) => row.fk)).toEqual([
      'job.dag_id->task_dag.dag_id', 'job.status->job_status.id',
      'job_attribute.attribute_type->job_attribute_type.id', 'job_attribute.job_id->job.job_id',
      'job_instance.dag_id->task_dag.dag_id', 'job_instance.job_id->job.job_id',
      'job_instance.status->job_instance_status.id', 'job_instance_error_log.job_instance_id->job_instance.job_instance_id',
      'workflow.dag_id->task_dag.dag_id', 'workflow.status->workflow_status.id',
      'workflow_attribute.attribute_type->workflow_attribute_type.id', 'workflow_attribute.workflow_id->workflow.id',
      'workflow_run.status->workflow_run_status.id', 'workflow_run.workflow_id->workflow.id',
      'workflow_run_attribute.attribute_type->workflow_run_attribute_type.id',
      'workflow_run_attribute.workflow_run_id->workflow_run.id',
    ]);
  });

  it('seeds the status tables with the §3 codes and labels', async () => {
    const jobStatus = await rowsOf<{ id: string; label: string }>(admin, 'SELECT id, label FROM job_status ORDER BY label');
    expect(Object.fromEntries(jobStatus.map((row) => [row.id, row.label]))).toEqual({
      G: 'REGISTERED', Q: 'QUEUED_FOR_INSTANTIATION', I: 'INSTANTIATED', R: 'RUNNING',
      E: 'ERROR_RECOVERABLE', F: 'ERROR_FATAL', D: 'DONE',
    });
    const labels = async (table: string) =>
      (await rowsOf<{ pair: string }>(admin, `SELECT CONCAT(id, ' ', label) AS pair FROM ${table} ORDER BY id`)).map((r) => r.pair);
    expect(await labels('job_instance_status')).toEqual(['B SUBMITTED_TO_BATCH_EXECUTOR', 'D DONE', 'E ERROR', 'I INSTANTIATED', 'R RUNNING']);
    expect(await labels('workflow_status')).toEqual(['C CREATED', 'D DONE', 'E ERROR', 'R RUNNING', 'S STOPPED']);
    expect(await labels('workflow_run_status')).toEqual(['D DONE', 'E ERROR', 'R RUNNING', 'S STOPPED']);
  });

  it('seeds the attribute types with explicit ids, names and types', async () => {
    const types = async (table: string) =>
      (await rowsOf<{ row: string }>(admin, `SELECT CONCAT(id, ' ', name, ' ', type) AS \`row\` FROM ${table} ORDER BY id`)).map((r) => r.row);
    const common = [
      '1 NUM_LOCATIONS int', '2 NUM_DRAWS int', '3 NUM_AGE_GROUPS int', '4 NUM_YEARS int', '5 NUM_RISKS int',
      '6 NUM_CAUSES int', '7 NUM_SEXES int', '8 TAG string', '9 NUM_MEASURES int', '10 NUM_METRICS int',
      '11 NUM_MOST_DETAILED_LOCATIONS int', '12 NUM_AGGREGATE_LOCATIONS int',
    ];
    expect(await types('workflow_attribute_type')).toEqual(common);
    expect(await types('workflow_run_attribute_type')).toEqual([...common, '13 SLOT_LIMIT_AT_START int', '14 SLOT_LIMIT_AT_END int']);
    expect(await types('job_attribute_type')).toEqual([
      ...common, '13 WALLCLOCK string', '14 CPU string', '15 IO string', '16 MAXRSS string', '17 USAGE_STR string',
    ]);
  });

  it('records the version; a second migrate is a no-op that says so', async () => {
    expect(await schemaVersion(admin, db.name)).toBe(SCHEMA_VERSION);
    const again: string[] = [];
    expect(await migrate(admin, db.name, (line) => again.push(line))).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION });
    expect(again).toEqual([`schema already at version ${SCHEMA_VERSION}; nothing to do`]);
    const [count] = await rowsOf<{ n: number }>(admin, 'SELECT COUNT(*) AS n FROM job_attribute_type');
    expect(Number(count?.n)).toBe(17);
    expect(await waitForSchemaVersion(admin, SCHEMA_VERSION, { database: db.name, timeoutMs: 0 })).toBe(SCHEMA_VERSION);
  });
});

describe('schemaVersion and waitForSchemaVersion before any migration', () => {
  it('reads 0, and waiting gives up with a message naming initdb', async () => {
    const db = await createTestDatabase('migrations_empty');
    const admin = await adminConnection();
    try {
      expect(await schemaVersion(admin, db.name)).toBe(0);
      await expect(waitForSchemaVersion(admin, 1, { database: db.name, timeoutMs: 50, intervalMs: 10 })).rejects.toThrow(
        /schema version 1 not reached .* run jobmon-server initdb/,
      );
    } finally {
      await admin.end();
      await db.drop();
    }
  });
});

describe('two concurrent migrates on one fresh database', () => {
  it('both succeed, one applies and the other finds nothing to do', async () => {
    const db = await createTestDatabase('migrations_race');
    const [a, b] = await Promise.all([adminConnection(), adminConnection()]);
    try {
      const results = await Promise.all([migrate(a, db.name, () => undefined), migrate(b, db.name, () => undefined)]);
      expect(results.map((r) => r.from).sort()).toEqual([0, SCHEMA_VERSION]);
      expect(results.every((r) => r.to === SCHEMA_VERSION)).toBe(true);
      const [versions] = await a.query('SELECT version FROM schema_migrations ORDER BY version');
      expect(versions).toEqual(MIGRATIONS.map((m) => ({ version: m.version })));
      const [tables] = await a.query('SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [db.name]);
      expect(Number((tables as Array<{ n: number }>)[0]?.n)).toBe(20);
    } finally {
      await Promise.all([a.end(), b.end()]);
      await db.drop();
    }
  });
});
