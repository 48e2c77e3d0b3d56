import type { Pool } from 'mysql2/promise';
import { ensureAccounts } from '../../../src/server/db/accounts.js';
import { migrate } from '../../../src/server/db/migrations.js';
import { connect, createPool } from '../../../src/server/db/pool.js';
import { readMonitorEnv, runMonitor, type MonitorEnv, type RunMonitorOptions } from '../../../src/server/monitor/index.js';
import { TEST_DB, TEST_PASSWORDS, createTestDatabase, testAccountPasswords } from '../../helpers/mariadb.js';

export const SLACK_TOKEN = 'xoxb-planted-sentinel-7c3d9e';

export interface MonitorTestDb {
  name: string;
  /** An admin pool on the test database, to arrange and inspect rows. */
  admin: Pool;
  rows<T = Record<string, unknown>>(sql: string, values?: unknown[]): Promise<T[]>;
  /** The monitor's settings as `jobmon-server monitor` reads them, logged in as service_user. */
  settings(env?: Record<string, string>, overrides?: Partial<MonitorEnv>): MonitorEnv;
  drop(): Promise<void>;
}

/** A fresh database with the schema (migrations 1 and 2) and the real accounts. */
export async function createMonitorTestDb(prefix: string): Promise<MonitorTestDb> {
  const db = await createTestDatabase(prefix);
  const setup = await connect({ ...TEST_DB, database: db.name });
  try {
    await ensureAccounts(setup, db.name, testAccountPasswords());
    await migrate(setup, db.name, () => undefined);
  } finally {
    await setup.end();
  }
  const admin = createPool({ ...TEST_DB, database: db.name, connectionLimit: 4 });
  return {
    name: db.name,
    admin,
    async rows<T>(sql: string, values: unknown[] = []) {
      return (await admin.query(sql, values))[0] as T[];
    },
    settings(env = {}, overrides = {}) {
      const base = readMonitorEnv({
        DB_HOST: TEST_DB.host,
        DB_PORT: String(TEST_DB.port),
        DB_USER: 'service_user',
        DB_PASS: TEST_PASSWORDS.serviceUser,
        DB_NAME: db.name,
        SLACK_TOKEN,
        // Never Slack itself: a port where nothing listens unless the test gives its fake.
        SLACK_API_URL: 'http://127.0.0.1:9/api/',
        ...env,
      });
      // Fast polls for tests (the env rule, interval >= threshold, is tested in config.test.ts).
      return { ...base, pollIntervalMs: 150, ...overrides };
    },
    async drop() {
      await admin.end();
      await db.drop();
    },
  };
}

export interface RunningMonitor {
  stop(): Promise<void>;
  /** Rejects if the monitor ever ended on its own. */
  done: Promise<void>;
}

const running = new Set<RunningMonitor>();

/** Starts the monitor in the background, as `jobmon-server monitor` runs it. */
export function startTestMonitor(settings: MonitorEnv, options: Omit<RunMonitorOptions, 'signal'>): RunningMonitor {
  const controller = new AbortController();
  const done = runMonitor(settings, { firstRetryMs: 100, slackBackoffMs: [50, 100], ...options, signal: controller.signal }).then(() => {
    if (!controller.signal.aborted) throw new Error('the monitor ended on its own');
  });
  const monitor: RunningMonitor = {
    done,
    async stop() {
      running.delete(monitor);
      controller.abort();
      await done;
    },
  };
  running.add(monitor);
  return monitor;
}

/**
 * Stops every monitor a test started and did not stop (it failed before its own stop),
 * so one failing test's monitor never answers Slack or writes status in the next test.
 */
export async function stopStrayMonitors(): Promise<void> {
  await Promise.allSettled([...running].map((monitor) => monitor.stop()));
}

/** Waits until `check` returns a truthy value (polled every 50 ms). */
export async function waitFor<T>(check: () => Promise<T> | T, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The count of completed polls recorded in monitor_status. */
export async function completedPolls(db: MonitorTestDb): Promise<number> {
  const [row] = await db.rows<{ polls: number }>('SELECT polls FROM monitor_status WHERE id = 1');
  return Number(row?.polls ?? 0);
}

/** Waits for `n` more completed polls. */
export async function morePolls(db: MonitorTestDb, n: number): Promise<void> {
  const start = await completedPolls(db);
  await waitFor(async () => (await completedPolls(db)) >= start + n, `${n} more polls`);
}
