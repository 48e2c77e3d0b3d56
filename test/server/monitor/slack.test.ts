import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogSender, createSlackSender } from '../../../src/server/monitor/slack.js';
import { Secret } from '../../../src/server/secret.js';
import { startFakeSlack, type FakeSlack } from '../../helpers/fake-slack.js';
import { collectLog } from '../../helpers/log-lines.js';

const TOKEN = 'xoxb-slack-test-token-5e1f';
let slack: FakeSlack;
let clock = 1_000_000;
let sleeps: number[] = [];
const fakeSleep = async (ms: number) => {
  sleeps.push(ms);
  clock += ms;
};
const sender = (options: { timeoutMs?: number; backoffMs?: number[]; apiUrl?: string } = {}) => {
  const log = collectLog();
  const s = createSlackSender({ token: new Secret(TOKEN), apiUrl: options.apiUrl ?? slack.apiUrl, logger: log.logger, sleep: fakeSleep, now: () => clock, ...options });
  return { s, log };
};

beforeAll(async () => {
  slack = await startFakeSlack();
});
afterAll(async () => {
  await slack.close();
});
beforeEach(() => {
  slack.requests.length = 0;
  slack.replies.length = 0;
  slack.fallback = undefined;
  slack.channels = {};
  sleeps = [];
});

describe('Slack sender (chat.postMessage on a local fake)', () => {
  it('posts the channel and the exact text to <base>chat.postMessage with a Bearer token', async () => {
    const text = 'Lost contact with Workflow Run #1:\n    running on host: h\n    PID: 1';
    expect(await sender().s.send('jobmon-alerts', text)).toEqual({ status: 'sent' });
    expect(slack.requests).toMatchObject([{ method: 'POST', path: '/api/chat.postMessage', authorization: `Bearer ${TOKEN}`, channel: 'jobmon-alerts', text }]);
  });

  it('retries an HTTP 500 after a pause and delivers exactly once', async () => {
    slack.replies.push({ status: 500, body: 'Internal Server Error' });
    const { s, log } = sender();
    expect(await s.send('c', 'hello')).toEqual({ status: 'sent' });
    expect(slack.requests.map((r) => r.text)).toEqual(['hello', 'hello']);
    expect(sleeps).toEqual([1000]);
    expect(log.entries().find((e) => e.level === 40)).toMatchObject({ reason: 'Slack answered HTTP 500', attempt: 1 });
  });

  it('gives up after three attempts with back-off and tells the caller to stop this pass', async () => {
    slack.fallback = { status: 503 };
    expect(await sender().s.send('c', 'hello')).toEqual({ status: 'failed', reason: 'Slack answered HTTP 503', stopPass: true });
    expect(slack.requests).toHaveLength(3);
    expect(sleeps).toEqual([1000, 2000]);
  });

  it('a wrong API address (HTTP 404, the original\'s test_raises_correctly) is refused at once, not retried, and stops the pass', async () => {
    slack.fallback = { status: 404, body: 'Not Found' };
    const { s } = sender({ apiUrl: slack.apiUrl.replace(/api\/$/, 'apis/') });
    expect(await s.send('c', 'hello')).toEqual({ status: 'failed', reason: 'Slack answered HTTP 404', stopPass: true });
    expect(slack.requests.map((r) => r.path)).toEqual(['/apis/chat.postMessage']);
    expect(sleeps).toEqual([]);
  });

  it('honours a short Retry-After of a 429 by waiting exactly that long', async () => {
    slack.replies.push({ status: 429, headers: { 'retry-after': '3' }, body: { ok: false, error: 'ratelimited' } });
    expect(await sender().s.send('c', 'hello')).toEqual({ status: 'sent' });
    expect(sleeps).toEqual([3000]);
    expect(slack.requests).toHaveLength(2);
  });

  it('does not wait out a long Retry-After: it pauses sending until then, without asking Slack', async () => {
    slack.replies.push({ status: 429, headers: { 'retry-after': '120' } });
    const { s } = sender();
    expect(await s.send('c', 'one')).toEqual({ status: 'failed', reason: 'Slack rate limit (HTTP 429, Retry-After 120 s)', stopPass: true });
    clock += 60_000;
    expect(await s.send('c', 'two')).toEqual({ status: 'failed', reason: 'Slack asked us to wait 60 s more (HTTP 429)', stopPass: true });
    expect(slack.requests).toHaveLength(1);
    clock += 60_000;
    expect(await s.send('c', 'two')).toEqual({ status: 'sent' });
    expect(sleeps).toEqual([]);
  });

  it('checks ok:false: a refusal for good says whom it concerns (channel, token or message) and is not retried at once', async () => {
    for (const error of ['channel_not_found', 'not_in_channel', 'is_archived', 'invalid_auth', 'account_inactive', 'msg_too_long']) {
      slack.replies.push({ body: { ok: false, error } });
    }
    const { s } = sender();
    const refused = (code: string, stopPass: boolean, scope: string) => ({ status: 'failed', reason: `Slack answered ok:false (${code})`, stopPass, refused: scope });
    expect(await s.send('nowhere', 'x')).toEqual(refused('channel_not_found', false, 'channel'));
    expect(await s.send('private', 'x')).toEqual(refused('not_in_channel', false, 'channel'));
    expect(await s.send('old', 'x')).toEqual(refused('is_archived', false, 'channel'));
    expect(await s.send('c', 'x')).toEqual(refused('invalid_auth', true, 'token'));
    expect(await s.send('c', 'x')).toEqual(refused('account_inactive', true, 'token'));
    expect(await s.send('c', 'x')).toEqual(refused('msg_too_long', false, 'message'));
    expect(slack.requests).toHaveLength(6);
    expect(sleeps).toEqual([]);
  });

  it('treats ok:false codes of trouble on Slack\'s side (internal_error) like a 5xx: retried, then kept', async () => {
    slack.replies.push({ body: { ok: false, error: 'internal_error' } });
    expect(await sender().s.send('c', 'x')).toEqual({ status: 'sent' });
    slack.fallback = { body: { ok: false, error: 'service_unavailable' } };
    expect(await sender().s.send('c', 'y')).toEqual({ status: 'failed', reason: 'Slack answered ok:false (service_unavailable)', stopPass: true });
    expect(slack.requests).toHaveLength(5);
    expect(sleeps).toEqual([1000, 1000, 2000]);
  });

  it('names a timeout and an unreachable Slack', async () => {
    slack.fallback = { hang: true };
    expect(await sender({ timeoutMs: 200, backoffMs: [10] }).s.send('c', 'x')).toEqual({
      status: 'failed',
      reason: 'no answer from Slack within 0.2 s',
      stopPass: true,
    });
    expect(slack.requests).toHaveLength(2);
    const closed = await startFakeSlack();
    await closed.close();
    const result = await sender({ apiUrl: closed.apiUrl, backoffMs: [] }).s.send('c', 'x');
    expect(result).toEqual({ status: 'failed', reason: 'cannot reach Slack (ECONNREFUSED)', stopPass: true });
  });

  it('starts no further attempt once the monitor is stopping', async () => {
    slack.fallback = { status: 500 };
    const controller = new AbortController();
    const s = createSlackSender({
      token: new Secret(TOKEN),
      apiUrl: slack.apiUrl,
      logger: collectLog().logger,
      now: () => clock,
      sleep: async () => controller.abort(), // SIGTERM arrives during the back-off
    });
    expect(await s.send('c', 'x', controller.signal)).toEqual({ status: 'failed', reason: 'the monitor is stopping', stopPass: true });
    expect(slack.requests).toHaveLength(1);
  });

  it('never writes the token to the log, even at debug level', async () => {
    slack.replies.push({ status: 500 }, { body: { ok: false, error: 'invalid_auth' } });
    const { s, log } = sender();
    await s.send('c', 'x');
    expect(log.lines.length).toBeGreaterThan(0);
    expect(log.lines.join('\n')).not.toContain(TOKEN);
  });
});

describe('log sender (no SLACK_TOKEN)', () => {
  it('logs the message with its channel and counts it as delivered', async () => {
    const log = collectLog();
    expect(await createLogSender(log.logger).send('jobmon-alerts', 'hello')).toEqual({ status: 'sent' });
    expect(log.entries()).toMatchObject([{ level: 30, channel: 'jobmon-alerts', text: 'hello', msg: 'Slack is off (no SLACK_TOKEN): message logged instead of sent' }]);
  });
});
