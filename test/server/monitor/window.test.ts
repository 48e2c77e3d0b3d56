import type { Connection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observe } from '../../../src/server/monitor/repository.js';
import { failingNodes, FAILURE_WINDOW_SECONDS } from '../../../src/server/monitor/rules.js';
import { connectAs, TEST_PASSWORDS } from '../../helpers/mariadb.js';
import { insertRun } from './fixtures.js';
import { createMonitorTestDb, type MonitorTestDb } from './setup.js';

/**
 * The failing-node window at its edge. The original (spec §5, step 5) counts
 * instances with `ji.status_date > DATE_SUB(NOW(), INTERVAL 1 HOUR)`: strictly
 * later, so one changed exactly 60 minutes ago is outside the window and one
 * changed 59 min 59 s ago is inside. The session's clock is pinned
 * (`SET timestamp`), so "now" is the same second for the rows and the query,
 * and the edge is exact rather than raced against a moving clock.
 */
let db: MonitorTestDb;
let session: Connection;

beforeAll(async () => {
  db = await createMonitorTestDb('monitor_window');
  // The monitor's own account, as it polls.
  session = await connectAs('service_user', TEST_PASSWORDS.serviceUser, db.name);
});
afterAll(async () => {
  await session?.end();
  await db?.drop();
});

describe('failing nodes: the one-hour window at exactly 60 minutes', () => {
  it('leaves out instances changed exactly 60 min before the database clock, and counts those changed 59 min 59 s before it', async () => {
    expect(FAILURE_WINDOW_SECONDS).toBe(3600);
    const run = await insertRun(db.admin, { dagName: 'edge' });
    const [[now]] = (await session.query('SELECT UNIX_TIMESTAMP() AS t')) as unknown as [[{ t: number | string }]];
    await session.query('SET timestamp = ?', [Math.floor(Number(now.t))]);

    // 6 instances all in E per node (6 > 5 and 100 % > 20 %), and enough recent D instances
    // elsewhere that the run stays at <= 10 % E, so its nodes are judged at all.
    const instances = async (nodename: string, count: number, status: 'E' | 'D', agoS: number) => {
      for (let i = 0; i < count; i++) {
        // Stamped in the pinned session: UTC_TIMESTAMP() there is the same second the query below sees.
        await session.query(
          `INSERT INTO job_instance (workflow_run_id, job_id, dag_id, nodename, status, submitted_date, status_date)
           VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP() - INTERVAL ? SECOND, UTC_TIMESTAMP() - INTERVAL ? SECOND)`,
          [run.runId, run.jobId, run.dagId, nodename, status, agoS, agoS],
        );
      }
    };
    await instances('node-at-60m', 6, 'E', 3600);
    await instances('node-at-59m59s', 6, 'E', 3599);
    await instances('node-healthy', 110, 'D', 60);

    // The clock has not moved in this session: the edge row is exactly one hour before "now".
    const [[edge]] = (await session.query(
      `SELECT UTC_TIMESTAMP() - INTERVAL 1 HOUR AS hour_ago, UNIX_TIMESTAMP() AS t,
              (SELECT MIN(status_date) FROM job_instance WHERE nodename = 'node-at-60m') AS stamped`,
    )) as unknown as [[{ hour_ago: string; t: number | string; stamped: string }]];
    expect(edge.stamped).toBe(edge.hour_ago);
    expect(Number(edge.t)).toBe(Math.floor(Number(now.t)));
    const { observation } = await observe(session);
    const recent = observation.recentNodeInstances.filter((row) => row.runId === run.runId);
    expect(recent.sort((a, b) => String(a.nodename).localeCompare(String(b.nodename)))).toEqual([
      { runId: run.runId, nodename: 'node-at-59m59s', instances: 6, errors: 6 },
      { runId: run.runId, nodename: 'node-healthy', instances: 110, errors: 0 },
    ]);
    expect(observation.runInstances.filter((row) => row.runId === run.runId)).toEqual([{ runId: run.runId, instances: 122, errors: 12 }]);
    expect(failingNodes(observation)).toEqual(['node-at-59m59s']);
  });
});
