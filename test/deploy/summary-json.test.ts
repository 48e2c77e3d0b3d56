import { describe, expect, it } from 'vitest';
import { planDeploy } from '../../src/deploy/plan.js';
import { jsonProgress } from '../../src/deploy/progress.js';
import { pendingRecord, printSummary, summaryToJson } from '../../src/deploy/report.js';
import { createMemoryLogger, type Logger } from '../../src/logger.js';
import { Secret } from '../../src/server/secret.js';
import { expectJsonOutput } from '../fixtures/json-schemas.js';
import { input087, SENTINELS } from './fixtures.js';

const secrets = { root: new Secret(SENTINELS.root), tableCreator: new Secret(SENTINELS.tableCreator), serviceUser: new Secret(SENTINELS.serviceUser), readOnly: new Secret(SENTINELS.readOnly) };
const plan = planDeploy(input087());
const record = { ...pendingRecord({ plan, engine: 'unix:///var/run/docker.sock', clientAddress: '127.0.0.1', secrets, slack: { wfChannel: 'wf', nodeChannel: 'nodes' }, checkout: '/co' }), status: 'deployed' as const };

/** A logger that says which method each line went through: data is stdout even with --quiet, info is prose. */
function recordingLogger() {
  const calls: [string, string][] = [];
  const logger = { ...createMemoryLogger() } as Logger;
  for (const method of ['data', 'info', 'debug', 'warn', 'error'] as const) logger[method] = (text) => void calls.push([method, text]);
  return { logger, calls };
}

describe('deploy --json summary', () => {
  it('is the record public facts in the shared release shape, and never a password', () => {
    const json = summaryToJson(record, '/d/0.8.7/x.json', 12.3456);
    for (const value of Object.values(SENTINELS)) expect(json).not.toContain(value);
    const data = expectJsonOutput('deploy', json);
    expect(data.release).toEqual({
      host: 'jobmon-docker-cont-p01', label: 'http.11', tag: 'release-0.8.7', version: '0.8.7', project: 'jobmon087',
      ports: [{ name: 'db', field: 'db', external: 3870, internal: 3306 }, { name: 'jsm-1', field: 'jsm1', external: 8756, internal: 80 }],
      notes: null, server: null, sharedPorts: {},
    });
    expect(data).toMatchObject({
      commit: plan.commit, engine: 'unix:///var/run/docker.sock', clientAddress: '127.0.0.1', record: '/d/0.8.7/x.json', seconds: 12.346,
      services: [{ name: 'jsm-1', port: 8756, url: 'http://127.0.0.1:8756/' }],
      database: { name: 'docker', address: '127.0.0.1:3870', port: 3870, accounts: [
        { user: 'service_user', url: 'mysql://service_user@127.0.0.1:3870/docker' },
        { user: 'read_only', url: 'mysql://read_only@127.0.0.1:3870/docker' },
      ] },
    });
  });

  it('with --json the summary is data (stdout), the only line; without, the prose goes through info', () => {
    const json = recordingLogger();
    printSummary(json.logger, true, record, '/f', 1);
    expect(json.calls.map(([m]) => m)).toEqual(['data']);
    expectJsonOutput('deploy', json.calls[0]![1]);
    const text = recordingLogger();
    printSummary(text.logger, undefined, record, '/f', 1);
    expect(text.calls.map(([m]) => m)).toEqual(['info']);
    expect(text.calls[0]![1]).toMatch(/^deployed release-0\.8\.7 /);
  });

  it('progress in --json mode goes to stderr, never stdout, and --quiet silences it', async () => {
    const loud = recordingLogger();
    const progress = jsonProgress(loud.logger, false);
    await progress.step('build', async () => 1);
    progress.line('note');
    expect(loud.calls.map(([m]) => m)).toEqual(['warn', 'warn', 'warn']);
    const quiet = recordingLogger();
    await jsonProgress(quiet.logger, true).step('build', async () => 1);
    expect(quiet.calls).toEqual([]);
  });
});
