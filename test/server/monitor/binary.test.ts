import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../helpers/cli.js';
import { startFakeSlack, type FakeSlack } from '../../helpers/fake-slack.js';
import { TEST_DB, TEST_PASSWORDS } from '../../helpers/mariadb.js';
import { insertRun } from './fixtures.js';
import { createMonitorTestDb, SLACK_TOKEN, waitFor, type MonitorTestDb } from './setup.js';

/** `jobmon-server monitor` as the image runs it: the built bundle (npm run build), env only, SIGTERM to stop. */
const BIN = path.join(REPO_ROOT, 'bin/jobmon-server.js');
let db: MonitorTestDb;
let slack: FakeSlack;

beforeAll(async () => {
  db = await createMonitorTestDb('monitor_bin');
  slack = await startFakeSlack();
});
afterAll(async () => {
  await slack?.close();
  await db?.drop();
});

describe('jobmon-server monitor, the built binary', () => {
  it('announces a lost run at its first poll, and stops cleanly on SIGTERM without printing the token', async () => {
    const run = await insertRun(db.admin, { heartbeatAgoS: 3600, slackChannel: null });
    const child = spawn(process.execPath, [BIN, 'monitor'], {
      env: {
        DB_HOST: TEST_DB.host, DB_PORT: String(TEST_DB.port), DB_NAME: db.name, DB_USER: 'service_user', DB_PASS: TEST_PASSWORDS.serviceUser,
        SLACK_TOKEN, SLACK_API_URL: slack.apiUrl, WF_SLACK_CHANNEL: 'ops-alerts', LOG_LEVEL: 'debug', PATH: process.env.PATH ?? '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = once(child, 'exit');
    try {
      await waitFor(() => slack.requests.length > 0 && output.includes('message delivered to Slack'), `the message; output so far:\n${output}`);
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await exited;
    expect(code, output).toBe(0);
    expect(slack.requests.map((r) => [r.channel, r.authorization, r.text?.split('\n')[0]])).toEqual([
      ['ops-alerts', `Bearer ${SLACK_TOKEN}`, `Lost contact with Workflow Run #${run.runId}:`],
    ]);
    expect(output).toContain('"msg":"monitor stopped"');
    expect(output).not.toContain(SLACK_TOKEN);
    expect(output).not.toContain(TEST_PASSWORDS.serviceUser);
  });
});
