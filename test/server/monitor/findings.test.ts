import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readMonitorStatus } from '../../../src/server/monitor/index.js';
import { connectAs, TEST_PASSWORDS } from '../../helpers/mariadb.js';
import { startFakeSlack, type FakeSlack } from '../../helpers/fake-slack.js';
import { collectLog } from '../../helpers/log-lines.js';
import { insertInstances, insertRun, setHeartbeat } from './fixtures.js';
import { createMonitorTestDb, morePolls, SLACK_TOKEN, startTestMonitor, stopStrayMonitors, waitFor, type MonitorTestDb } from './setup.js';

// Real MariaDB (the monitor logged in as service_user) and a local Slack endpoint.
let db: MonitorTestDb;
let slack: FakeSlack;
const log = collectLog();

beforeAll(async () => {
  db = await createMonitorTestDb('monitor_findings');
  slack = await startFakeSlack();
});
afterAll(async () => {
  await slack?.close();
  await db?.drop();
});
afterEach(stopStrayMonitors);

const textsTo = (channel: string) => slack.requests.filter((r) => r.channel === channel).map((r) => r.text);

describe('monitor findings, end to end', () => {
  it('marks a run whose heartbeat stops E and announces it once, with the exact text and channel, not again after a restart', async () => {
    const run = await insertRun(db.admin, { dagName: 'my-dag', slackChannel: 'team-x', hostname: 'submit-1', pid: 777, workflowArgs: 'v1', jobs: ['R', 'Q'] });
    const first = startTestMonitor(db.settings({ LOG_LEVEL: 'debug', SLACK_API_URL: slack.apiUrl }), { logger: log.logger });
    await morePolls(db, 2);
    expect(slack.requests).toEqual([]);

    await setHeartbeat(db.admin, run.dagId, 6 * 60); // the client went away 6 minutes ago
    await waitFor(() => slack.requests.length > 0, 'the lost-run message');
    await morePolls(db, 3);
    expect(slack.requests).toHaveLength(1);
    expect(slack.requests[0]).toMatchObject({
      path: '/api/chat.postMessage',
      authorization: `Bearer ${SLACK_TOKEN}`,
      channel: 'team-x',
      text: `Lost contact with Workflow Run #${run.runId}:\n    running on host: submit-1\n    PID: 777\n    workflow_id: ${run.workflowId}\n    workflow_args: v1\n    task_dag id: ${run.dagId}\n    task_dag name: my-dag`,
    });
    const [marked] = await db.rows<{ status: string; age: number; wf: string }>(
      `SELECT r.status, TIMESTAMPDIFF(SECOND, r.status_date, UTC_TIMESTAMP()) AS age, w.status AS wf
       FROM workflow_run r JOIN workflow w ON w.id = r.workflow_id WHERE r.id = ?`,
      [run.runId],
    );
    expect(marked).toMatchObject({ status: 'E', wf: 'R' }); // the workflow itself is left alone, as in the original
    expect(Number(marked!.age)).toBeLessThan(60);
    // Its DAG now has unfinished jobs and no running run: the same episode, not a second message.
    expect(textsTo('jobmon-alerts')).toEqual([]);
    await first.stop();

    const second = startTestMonitor(db.settings({ SLACK_API_URL: slack.apiUrl }), { logger: log.logger });
    await morePolls(db, 3);
    await second.stop();
    expect(slack.requests).toHaveLength(1);
    const [stored] = await db.rows('SELECT kind, channel, attempts, delivered_via, last_error FROM monitor_notification');
    expect(stored).toMatchObject({ kind: 'lost_run', channel: 'team-x', attempts: 1, delivered_via: 'slack', last_error: null });
  });

  it('announces failing nodes once to the node channel; failures outside the hour, of failing runs, or without a node do not count', async () => {
    slack.requests.length = 0;
    const run = await insertRun(db.admin, { dagName: 'busy' });
    await insertInstances(db.admin, run, 'node-bad', 6, 2, 30 * 60); // 6 instances, 33 % in E
    await insertInstances(db.admin, run, 'node-window', 3, 3, 59 * 60); // in the window (59 min)...
    await insertInstances(db.admin, run, 'node-window', 3, 0, 60);
    await insertInstances(db.admin, run, 'node-old', 6, 6, 61 * 60); // ...this one is not (61 min)
    await insertInstances(db.admin, run, 'node-five', 5, 5, 60); // exactly 5: not enough
    await insertInstances(db.admin, run, 'node-fifth', 10, 2, 60); // exactly 20 %: not failing
    await insertInstances(db.admin, run, null, 6, 6, 60); // no node name
    await insertInstances(db.admin, run, 'node-good', 201, 0, 60); // the run at exactly 10 % E (24 of 240) still counts
    const failing = await insertRun(db.admin, { dagName: 'failing-run' }); // 50 % E: its nodes are not judged
    await insertInstances(db.admin, failing, 'node-victim', 12, 6, 60);

    const monitor = startTestMonitor(db.settings({ SLACK_API_URL: slack.apiUrl }), { logger: log.logger });
    await waitFor(() => slack.requests.length > 0, 'the failing-nodes message');
    await morePolls(db, 3);
    await monitor.stop();
    expect(slack.requests.map((r) => [r.channel, r.text])).toEqual([['suspicious_nodes', 'Potentially failing nodes found: node-bad, node-window']]);
    expect(await db.rows('SELECT kind, subject FROM monitor_episode WHERE ended_at IS NULL AND kind = ? ORDER BY subject', ['node'])).toEqual([
      { kind: 'node', subject: 'node-bad' },
      { kind: 'node', subject: 'node-window' },
    ]);
  });

  it('announces a disappearing DAG once to the workflow channel, and records the poll for /health', async () => {
    slack.requests.length = 0;
    const stopped = await insertRun(db.admin, { dagName: 'orphan', heartbeatAgoS: 8 * 60 + 5, runStatus: 'S', jobs: ['Q', 'I', 'D'] });
    await insertRun(db.admin, { dagName: 'finished', heartbeatAgoS: 3600, runStatus: 'D', jobs: ['D', 'F'] });
    const monitor = startTestMonitor(db.settings({ SLACK_API_URL: slack.apiUrl }), { logger: log.logger });
    await waitFor(() => slack.requests.length > 0, 'the disappearing-DAG message');
    await morePolls(db, 2);
    await monitor.stop();
    expect(slack.requests.map((r) => [r.channel, r.text])).toEqual([
      ['jobmon-alerts', `DAG #${stopped.dagId} "orphan" has 2 unfinished jobs, no heartbeat for 8m and no running workflow run`],
    ]);

    const readOnly = await connectAs('read_only', TEST_PASSWORDS.readOnly, db.name);
    try {
      const status = await readMonitorStatus(readOnly);
      expect(status).toMatchObject({ stale: false, slack: 'on', pollIntervalSeconds: 0, lossThresholdSeconds: 300, pendingMessages: 0, lastError: null });
      expect(status!.polls).toBeGreaterThan(10);
      expect(status!.secondsSinceLastPoll).toBeLessThan(5);
      expect(status!.lastPollAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    } finally {
      await readOnly.end();
    }
  });

  it('wrote the planted Slack token and the DB password to no log line', () => {
    expect(log.lines.length).toBeGreaterThan(20);
    const all = log.lines.join('\n');
    expect(all).not.toContain(SLACK_TOKEN);
    expect(all).not.toContain(TEST_PASSWORDS.serviceUser);
  });
});
