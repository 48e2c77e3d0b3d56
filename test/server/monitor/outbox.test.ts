import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/server/app.js';
import { createPool } from '../../../src/server/db/pool.js';
import { MAX_REFUSALS } from '../../../src/server/monitor/outbox.js';
import { TEST_DB, TEST_PASSWORDS } from '../../helpers/mariadb.js';
import { startFakeSlack, type FakeSlack } from '../../helpers/fake-slack.js';
import { collectLog } from '../../helpers/log-lines.js';
import { insertInstances, insertRun } from './fixtures.js';
import { createMonitorTestDb, morePolls, startTestMonitor, stopStrayMonitors, waitFor, type MonitorTestDb } from './setup.js';

// The outbox against real MariaDB (the monitor as service_user), a local Slack
// Web API, and GET /health of the real web app over HTTP.
let db: MonitorTestDb;
let slack: FakeSlack;
const log = collectLog();
const LOST = 10 * 60;

beforeAll(async () => {
  slack = await startFakeSlack();
});
afterAll(async () => {
  await slack?.close();
});
// Each test on a fresh database: the findings of one must not be the next one's messages.
beforeEach(async () => {
  slack.requests.length = 0;
  slack.channels = {};
  db = await createMonitorTestDb('monitor_outbox');
});
afterEach(async () => {
  await stopStrayMonitors();
  await db?.drop();
});

/** GET /health of the web service on this database, listening on a real port. */
async function health(): Promise<{ status: number; body: any }> {
  const pool = (user: string, password: string) => createPool({ ...TEST_DB, user, password, database: db.name, connectionLimit: 2 });
  const [jsm, jqs] = [pool('service_user', TEST_PASSWORDS.serviceUser), pool('read_only', TEST_PASSWORDS.readOnly)];
  const app = buildApp({ jsm, jqs });
  try {
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const response = await fetch(`${url}/health`);
    return { status: response.status, body: await response.json() };
  } finally {
    await app.close();
    await Promise.all([jsm.end(), jqs.end()]);
  }
}

describe('monitor outbox', () => {
  it('50 older messages to a channel Slack refuses do not delay one to a good channel; they end failed with the reason, shown by /health', async () => {
    slack.channels['gone-channel'] = { body: { ok: false, error: 'channel_not_found' } };
    const bad = [];
    for (let i = 0; i < 50; i++) bad.push(await insertRun(db.admin, { heartbeatAgoS: LOST, slackChannel: 'gone-channel', workflowArgs: `bad-${i}` }));
    const good = await insertRun(db.admin, { heartbeatAgoS: LOST, slackChannel: 'team-ok', workflowArgs: 'good' });
    const monitor = startTestMonitor(db.settings({ SLACK_API_URL: slack.apiUrl }), { logger: log.logger });
    await waitFor(async () => (await db.rows('SELECT id FROM monitor_notification WHERE failed_at IS NOT NULL')).length === 50, 'the 50 failed messages');
    await morePolls(db, 2);
    await monitor.stop();

    // All 51 were queued by one poll, the good one last (ids in run order).
    const stored = await db.rows<{ id: number; channel: string; attempts: number; refusals: number | null; last_error: string | null; delivered: number; failed: number }>(
      `SELECT id, channel, attempts, refusals, last_error, delivered_at IS NOT NULL AS delivered, failed_at IS NOT NULL AS failed
       FROM monitor_notification ORDER BY id`,
    );
    expect(stored).toHaveLength(51);
    expect(stored.at(-1)).toEqual({ id: stored.at(-1)!.id, channel: 'team-ok', attempts: 1, refusals: null, last_error: null, delivered: 1, failed: 0 });
    const refused = stored.slice(0, 50);
    expect(refused.every((row) => row.channel === 'gone-channel' && row.delivered === 0 && row.failed === 1 && row.refusals === MAX_REFUSALS)).toBe(true);
    expect(new Set(refused.map((row) => row.last_error))).toEqual(new Set(['Slack answered ok:false (channel_not_found)']));
    // The first pass asked Slack once for the refused channel and then delivered the good
    // message; each later pass cost the refused channel one request, MAX_REFUSALS in all.
    expect(slack.requests.slice(0, 2).map((r) => [r.channel, r.status])).toEqual([['gone-channel', 200], ['team-ok', 200]]);
    expect(slack.requests.filter((r) => r.channel === 'team-ok').map((r) => r.text)).toEqual([expect.stringContaining(`Lost contact with Workflow Run #${good.runId}:`)]);
    expect(slack.requests.filter((r) => r.channel === 'gone-channel')).toHaveLength(MAX_REFUSALS);
    expect(refused.reduce((n, row) => n + row.attempts, 0)).toBe(MAX_REFUSALS);
    expect(bad).toHaveLength(50);

    const { status, body } = await health();
    expect(status).toBe(200);
    expect(body.monitor).toMatchObject({
      stale: false,
      pendingMessages: 0,
      failedMessages: 50,
      lastFailedMessage: { channel: 'gone-channel', reason: 'Slack answered ok:false (channel_not_found)' },
    });
    // The fields /health had before are all still there.
    for (const key of ['lastPollAt', 'secondsSinceLastPoll', 'polls', 'host', 'slack', 'lastPoll', 'lastError', 'lastErrorAt']) expect(body.monitor).toHaveProperty(key);
  });

  it('a token Slack refuses stops the pass at once; only the message tried is charged', async () => {
    // Only while team-a's message is tried, as though the token were revoked and then replaced.
    slack.channels['team-a'] = { body: { ok: false, error: 'invalid_auth' } };
    await insertRun(db.admin, { heartbeatAgoS: LOST, slackChannel: 'team-a' });
    await insertRun(db.admin, { heartbeatAgoS: LOST, slackChannel: 'team-b' });
    const monitor = startTestMonitor(db.settings({ SLACK_API_URL: slack.apiUrl }), { logger: log.logger });
    const settled = async () => (await db.rows('SELECT id FROM monitor_notification WHERE delivered_at IS NOT NULL OR failed_at IS NOT NULL')).length === 2;
    await waitFor(settled, 'both messages settled');
    await monitor.stop();
    const rows = await db.rows('SELECT channel, refusals, delivered_at IS NOT NULL AS delivered, failed_at IS NOT NULL AS failed FROM monitor_notification ORDER BY id');
    expect(rows).toEqual([
      { channel: 'team-a', refusals: MAX_REFUSALS, delivered: 0, failed: 1 },
      { channel: 'team-b', refusals: null, delivered: 1, failed: 0 },
    ]);
    // team-b waited while team-a's refusal stopped each pass; it went once team-a had failed.
    expect(slack.requests.map((r) => r.channel)).toEqual([...Array(MAX_REFUSALS).fill('team-a'), 'team-b']);
  });

  it('escapes names clients chose (&, <, >), so a DAG named "<!channel> & co" pings nobody', async () => {
    const orphan = await insertRun(db.admin, { dagName: '<!channel> & co', heartbeatAgoS: LOST, runStatus: 'S', jobs: ['Q'] });
    const lost = await insertRun(db.admin, { dagName: '<@U024BE7LH>', hostname: 'host<1>', workflowArgs: 'a&b > c', heartbeatAgoS: LOST, slackChannel: 'team-x' });
    const busy = await insertRun(db.admin, { dagName: 'busy' });
    await insertInstances(db.admin, busy, '<!everyone>', 6, 6, 60);
    await insertInstances(db.admin, busy, 'node-ok', 60, 0, 60);
    const monitor = startTestMonitor(db.settings({ SLACK_API_URL: slack.apiUrl }), { logger: log.logger });
    await waitFor(() => slack.requests.length === 3, 'the three messages');
    await morePolls(db, 2);
    await monitor.stop();
    const texts = slack.requests.map((r) => r.text);
    expect(texts).toContain(`DAG #${orphan.dagId} "&lt;!channel&gt; &amp; co" has 1 unfinished jobs, no heartbeat for 10m and no running workflow run`);
    expect(texts).toContain(
      `Lost contact with Workflow Run #${lost.runId}:\n    running on host: host&lt;1&gt;\n    PID: 4321\n    workflow_id: ${lost.workflowId}\n` +
        `    workflow_args: a&amp;b &gt; c\n    task_dag id: ${lost.dagId}\n    task_dag name: &lt;@U024BE7LH&gt;`,
    );
    expect(texts).toContain('Potentially failing nodes found: &lt;!everyone&gt;');
    expect(texts.join('\n')).not.toMatch(/<|>/);
    // What is stored is what was sent.
    const stored = await db.rows<{ text: string }>('SELECT text FROM monitor_notification ORDER BY id');
    expect(stored.map((row) => row.text).sort()).toEqual([...texts].sort());
  });
});
