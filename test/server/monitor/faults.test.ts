import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readMonitorStatus } from '../../../src/server/monitor/index.js';
import { MAX_REFUSALS } from '../../../src/server/monitor/outbox.js';
import { TEST_DB, TEST_PASSWORDS } from '../../helpers/mariadb.js';
import { startFakeSlack, type FakeSlack } from '../../helpers/fake-slack.js';
import { collectLog } from '../../helpers/log-lines.js';
import { startTcpProxy } from '../../helpers/tcp-proxy.js';
import { insertRun } from './fixtures.js';
import { createMonitorTestDb, morePolls, SLACK_TOKEN, startTestMonitor, stopStrayMonitors, waitFor, type MonitorTestDb } from './setup.js';

// Every fault the monitor must survive, against real MariaDB and a local Slack endpoint.
let db: MonitorTestDb;
let slack: FakeSlack;
const log = collectLog();
const LOST = 10 * 60; // a heartbeat this many seconds old is lost

beforeAll(async () => {
  db = await createMonitorTestDb('monitor_faults');
  slack = await startFakeSlack();
});
afterAll(async () => {
  await slack?.close();
  await db?.drop();
});
beforeEach(() => {
  slack.requests.length = 0;
  slack.replies.length = 0;
  slack.fallback = undefined;
  slack.channels = {};
});
afterEach(stopStrayMonitors);

const lostRunText = (runId: number) => slack.requests.filter((r) => r.text?.startsWith(`Lost contact with Workflow Run #${runId}:`));
const entries = (msg: string) => log.entries().filter((e) => e.msg === msg);

describe('monitor faults', () => {
  it('keeps a message Slack answered 500 for a whole poll, and delivers it exactly once on a later poll', async () => {
    slack.fallback = { status: 500, body: 'Internal Server Error' };
    const monitor = startTestMonitor(db.settings({ SLACK_API_URL: slack.apiUrl }), { logger: log.logger });
    const run = await insertRun(db.admin, { heartbeatAgoS: LOST });
    await waitFor(() => lostRunText(run.runId).length >= 3, 'three refused attempts');
    // The refusals reach Slack before the outbox records them, so wait for the record itself.
    const pending = await waitFor(
      async () => {
        const rows = await db.rows<{ attempts: number; last_error: string }>('SELECT attempts, last_error FROM monitor_notification WHERE delivered_at IS NULL AND attempts > 0');
        return rows[0];
      },
      'the kept message',
    );
    expect(pending).toMatchObject({ last_error: 'Slack answered HTTP 500' });
    slack.fallback = undefined;
    await waitFor(async () => (await db.rows('SELECT id FROM monitor_notification WHERE delivered_at IS NULL')).length === 0, 'delivery');
    await morePolls(db, 2);
    await monitor.stop();
    const answered = lostRunText(run.runId);
    expect(answered.length).toBeGreaterThanOrEqual(4);
    expect(answered.map((r) => r.status).slice(-2)).toEqual([500, 200]);
    expect(answered.filter((r) => r.status === 200)).toHaveLength(1);
    expect(slack.requests.length).toBe(answered.length);
    const status = await readMonitorStatus(db.admin);
    expect(status?.pendingMessages).toBe(0);
  });

  it('honours a 429 Retry-After before asking again', async () => {
    slack.replies.push({ status: 429, headers: { 'retry-after': '1' }, body: { ok: false, error: 'ratelimited' } });
    const monitor = startTestMonitor(db.settings({ SLACK_API_URL: slack.apiUrl }), { logger: log.logger });
    const run = await insertRun(db.admin, { heartbeatAgoS: LOST });
    await waitFor(() => lostRunText(run.runId).length === 2, 'the retried request');
    await morePolls(db, 2);
    await monitor.stop();
    const [first, second] = lostRunText(run.runId);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1000);
    expect(lostRunText(run.runId)).toHaveLength(2);
    expect(entries('Slack rate limit (HTTP 429): waiting as Retry-After says').at(-1)).toMatchObject({ retryAfterS: 1 });
  });

  it('tries a message Slack refuses for good (channel_not_found) at MAX_REFUSALS polls, then fails it with the reason and sends it no more', async () => {
    slack.channels['no-such-channel'] = { body: { ok: false, error: 'channel_not_found' } };
    const monitor = startTestMonitor(db.settings({ SLACK_API_URL: slack.apiUrl }), { logger: log.logger });
    const run = await insertRun(db.admin, { heartbeatAgoS: LOST, slackChannel: 'no-such-channel' });
    await waitFor(async () => (await db.rows('SELECT id FROM monitor_notification WHERE failed_at IS NOT NULL')).length > 0, 'the failed message');
    await morePolls(db, 2);
    await monitor.stop();
    expect(lostRunText(run.runId)).toHaveLength(MAX_REFUSALS);
    expect(await db.rows('SELECT channel, attempts, refusals, last_error, delivered_at, failed_at IS NOT NULL AS failed FROM monitor_notification WHERE failed_at IS NOT NULL')).toEqual([
      { channel: 'no-such-channel', attempts: MAX_REFUSALS, refusals: MAX_REFUSALS, last_error: 'Slack answered ok:false (channel_not_found)', delivered_at: null, failed: 1 },
    ]);
    const refused = entries('Slack refused the message for good; it fails after repeated refusals').filter((e) => e.channel === 'no-such-channel');
    expect(refused.map((e) => e.failedNow)).toEqual([0, 0, 1]);
    expect(refused[0]).toMatchObject({ level: 40, reason: 'Slack answered ok:false (channel_not_found)' });
    const status = await readMonitorStatus(db.admin);
    expect(status).toMatchObject({
      pendingMessages: 0,
      failedMessages: 1,
      lastFailedMessage: { channel: 'no-such-channel', reason: 'Slack answered ok:false (channel_not_found)' },
    });
    expect(status!.lastFailedMessage!.failedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('survives the database going away mid-run and coming back, then does its job', async () => {
    const proxy = await startTcpProxy({ host: TEST_DB.host, port: TEST_DB.port });
    try {
      const monitor = startTestMonitor(db.settings({ SLACK_API_URL: slack.apiUrl, DB_PORT: String(proxy.port) }), { logger: log.logger });
      await morePolls(db, 2);
      const failedBefore = entries('poll failed; the monitor keeps going').length;
      await proxy.cut();
      await waitFor(() => entries('poll failed; the monitor keeps going').length >= failedBefore + 3, 'three failed polls');
      const run = await insertRun(db.admin, { heartbeatAgoS: LOST });
      await proxy.restore();
      await waitFor(() => lostRunText(run.runId).length === 1, 'the lost run, after the outage');
      await morePolls(db, 2);
      await monitor.stop();
      const failures = entries('poll failed; the monitor keeps going').slice(failedBefore);
      expect(failures[0]).toMatchObject({ level: 50, failedPolls: 1 });
      expect(String(failures[0]!.reason)).toMatch(/ECONNREFUSED|ECONNRESET|PROTOCOL_CONNECTION_LOST|closed|Connection lost/i);
      expect(entries('poll succeeded again').length).toBeGreaterThan(0);
      expect(lostRunText(run.runId)).toHaveLength(1);
    } finally {
      await proxy.close();
    }
  });

  it('without a token, says Slack is off and logs each message instead, sending nothing', async () => {
    const quiet = collectLog();
    const monitor = startTestMonitor(db.settings({ SLACK_API_URL: slack.apiUrl, SLACK_TOKEN: '' }), { logger: quiet.logger });
    const run = await insertRun(db.admin, { heartbeatAgoS: LOST, hostname: 'h-off' });
    await waitFor(() => quiet.entries().some((e) => e.msg.startsWith('Slack is off (no SLACK_TOKEN)')), 'the logged message');
    await morePolls(db, 1);
    await monitor.stop();
    expect(quiet.entries().find((e) => e.level === 40)?.msg).toBe('Slack is off: SLACK_TOKEN is not set, so each message is logged instead of sent');
    expect(quiet.entries().filter((e) => e.msg.startsWith('Slack is off (no SLACK_TOKEN)'))).toMatchObject([
      { channel: 'jobmon-alerts', text: expect.stringContaining(`Lost contact with Workflow Run #${run.runId}:\n    running on host: h-off\n`) },
    ]);
    expect(slack.requests).toEqual([]);
    expect((await readMonitorStatus(db.admin))?.slack).toBe('off');
  });

  it('two monitors at once (a redeploy overlap) take turns and announce a finding once', async () => {
    const settings = db.settings({ SLACK_API_URL: slack.apiUrl });
    const [a, b] = [startTestMonitor(settings, { logger: log.logger }), startTestMonitor(settings, { logger: log.logger })];
    const orphan = await insertRun(db.admin, { dagName: 'overlap', heartbeatAgoS: LOST, runStatus: 'S', jobs: ['Q'] });
    await waitFor(() => slack.requests.length > 0, 'the disappearing-DAG message');
    await morePolls(db, 4);
    await Promise.all([a.stop(), b.stop()]);
    expect(slack.requests.map((r) => r.text)).toEqual([
      `DAG #${orphan.dagId} "overlap" has 1 unfinished jobs, no heartbeat for 10m and no running workflow run`,
    ]);
  });

  it('wrote the planted Slack token and the DB password to no log line', () => {
    const all = log.lines.join('\n');
    expect(log.lines.length).toBeGreaterThan(20);
    expect(all).not.toContain(SLACK_TOKEN);
    expect(all).not.toContain(TEST_PASSWORDS.serviceUser);
  });
});
