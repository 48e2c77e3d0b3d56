import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/server/config.js';
import { readMonitorEnv, parseDuration } from '../../../src/server/monitor/config.js';
import { formatAge } from '../../../src/server/monitor/messages.js';

const BASE = { DB_USER: 'service_user', DB_PASS: 'pw' };

describe('monitor settings', () => {
  it('has the documented defaults, and Slack off without a token', () => {
    const settings = readMonitorEnv(BASE);
    expect(settings).toMatchObject({
      lossThresholdMs: 5 * 60_000,
      pollIntervalMs: 10 * 60_000,
      wfChannel: 'jobmon-alerts',
      nodeChannel: 'suspicious_nodes',
      slackApiUrl: 'https://slack.com/api/',
      slackToken: undefined,
      logLevel: 'info',
    });
    expect(settings.db).toMatchObject({ host: 'db', port: 3306, user: 'service_user', database: 'docker' });
  });

  it('reads durations, channels, the API base (adding the final slash) and keeps the token a Secret', () => {
    const settings = readMonitorEnv({
      ...BASE,
      MONITOR_LOSS_THRESHOLD: '90s',
      MONITOR_POLL_INTERVAL: '1h30m',
      SLACK_TOKEN: 'xoxb-planted-token',
      WF_SLACK_CHANNEL: 'wf',
      NODE_SLACK_CHANNEL: 'nodes',
      SLACK_API_URL: 'http://127.0.0.1:9/api',
    });
    expect(settings).toMatchObject({ lossThresholdMs: 90_000, pollIntervalMs: 5_400_000, wfChannel: 'wf', nodeChannel: 'nodes' });
    expect(settings.slackApiUrl).toBe('http://127.0.0.1:9/api/');
    expect(settings.slackToken?.reveal()).toBe('xoxb-planted-token');
    expect(JSON.stringify(settings)).not.toContain('xoxb-planted-token');
  });

  it.each([
    [{ MONITOR_LOSS_THRESHOLD: '5' }, /^MONITOR_LOSS_THRESHOLD must be a duration such as 30s, 5m or 1h, got "5"$/],
    [{ MONITOR_POLL_INTERVAL: '0m' }, /^MONITOR_POLL_INTERVAL must be a duration/],
    [{ MONITOR_POLL_INTERVAL: 'ten minutes' }, /^MONITOR_POLL_INTERVAL must be a duration/],
    [{ MONITOR_POLL_INTERVAL: '4m' }, /^MONITOR_POLL_INTERVAL \(4m\) must not be shorter than MONITOR_LOSS_THRESHOLD \(5m\)$/],
    [{ MONITOR_LOSS_THRESHOLD: '20m' }, /^MONITOR_POLL_INTERVAL \(10m\) must not be shorter than MONITOR_LOSS_THRESHOLD \(20m\)$/],
    [{ SLACK_API_URL: 'slack.com/api' }, /^SLACK_API_URL must be an http\(s\) URL/],
    [{ SLACK_API_URL: 'ftp://example.org/' }, /^SLACK_API_URL must be an http\(s\) URL/],
    [{ WF_SLACK_CHANNEL: 'two words' }, /^WF_SLACK_CHANNEL must be one Slack channel/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL must be one of/],
    [{ DB_PASS: '' }, /^DB_PASS is not set$/],
  ])('refuses %j naming the variable', (env, message) => {
    expect(() => readMonitorEnv({ ...BASE, ...env })).toThrow(ConfigError);
    expect(() => readMonitorEnv({ ...BASE, ...env })).toThrow(message);
  });

  it('accepts an interval equal to the threshold', () => {
    expect(readMonitorEnv({ ...BASE, MONITOR_LOSS_THRESHOLD: '10m' }).pollIntervalMs).toBe(600_000);
  });

  it('parses and formats durations', () => {
    expect([parseDuration('30s'), parseDuration('5m'), parseDuration('1h'), parseDuration('1H5M'), parseDuration('5 m')]).toEqual([
      30_000, 300_000, 3_600_000, 3_900_000, undefined,
    ]);
    expect([0, 45_999, 7 * 60_000 + 59_000, 3_600_000, 3_900_000, 86_400_000 + 3 * 3_600_000 + 59 * 60_000].map(formatAge)).toEqual([
      '0s', '45s', '7m', '1h', '1h 5m', '1d 3h',
    ]);
  });
});
