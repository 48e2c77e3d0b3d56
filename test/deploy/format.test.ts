import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { formatPlan, planToJson, stepTitle } from '../../src/deploy/format.js';
import { planDeploy } from '../../src/deploy/plan.js';
import { input087, SENTINELS } from './fixtures.js';
import { expectJsonOutput } from '../fixtures/json-schemas.js';

const plan = planDeploy(input087());

function expectNoSentinel(text: string): void {
  for (const sentinel of Object.values(SENTINELS)) expect(text).not.toContain(sentinel);
  expect(text).not.toContain('SENTINEL');
}

describe('formatPlan', () => {
  const text = formatPlan(plan);

  it('never shows a secret value: the planted sentinels appear nowhere, [REDACTED] stands in', () => {
    expectNoSentinel(text);
    // db 2, initdb 4, web 2, monitor 2 (DB_PASS, SLACK_TOKEN)
    expect(text.match(/\[REDACTED\]/g)).toHaveLength(9);
  });

  it('lists every step in order, with images, network, volume, containers and gates with their timeouts', () => {
    const heads = text.split('\n').filter((line) => /^\s*\d+\. /.test(line));
    expect(heads).toEqual([
      ' 1. image      jobmon-server:0123456789ab (server; reused when present, else built)',
      ' 2. image      jobmon-mariadb:0123456789ab (db; reused when present, else built)',
      ' 3. network    jobmon087_default (bridge; reused when present)',
      ' 4. volume     jobmon087_db_data (reused with its data when present)',
      ' 5. container  jobmon087_db_1 (service db; refused if one exists)',
      ' 6. wait       DB accepting connections: jobmon087_db_1, until its healthcheck reports healthy; up to 90 s',
      ' 7. oneshot    jobmon087_initdb_1 (service initdb; removed once it succeeded)',
      ' 8. wait       initdb finished: jobmon087_initdb_1, until it exits with code 0; up to 90 s',
      ' 9. container  jobmon087_jobmon_1 (service jobmon; refused if one exists)',
      '10. wait       web service healthy: jobmon087_jobmon_1, until GET /health on port 8756 answers 200; up to 90 s',
      '11. container  jobmon087_monitor_1 (service monitor; refused if one exists)',
      '12. wait       monitor polling: jobmon087_monitor_1, until GET /health on port 8756 reports a completed monitor poll; up to 90 s',
    ]);
  });

  it('shows each container with its ports, policies, hardening and limits, env names and labels', () => {
    const lines = text.split('\n');
    const web = lines.slice(lines.findIndex((l) => l.includes('container  jobmon087_jobmon_1')));
    expect(web.slice(1, 20)).toEqual([
      '      image    jobmon-server:0123456789ab',
      '      command  web',
      '      ports    127.0.0.1:8756 -> 80/tcp (jsm-1)',
      '      network  jobmon087_default as jobmon',
      '      restart  unless-stopped; logs json-file, 100m x 10',
      '      security no-new-privileges, no capabilities, read-only root filesystem',
      '      limits   memory 1g (no swap), pids 256',
      '      env      DB_HOST=db',
      '               DB_PORT=3306',
      '               DB_NAME=docker',
      '               DB_USER=service_user',
      '               DB_PASS=[REDACTED]',
      '               JQS_DB_USER=read_only',
      '               JQS_DB_PASS=[REDACTED]',
      '               LISTEN_PORT=80',
      '      labels   com.docker.compose.service=jobmon',
      '               com.docker.compose.container-number=1',
      '               com.docker.compose.oneoff=False',
      '               and the labels of every resource',
    ]);
    expect(text).toContain('      ports    127.0.0.1:3870 -> 3306/tcp (db)');
    expect(text).toContain('      health   mariadb-admin --protocol=tcp --host=127.0.0.1 --port=3306 --user=healthcheck ping (every 2 s)');
    expect(text).toContain('               SLACK_TOKEN=[REDACTED]');
    expect(text).toContain('      security no-new-privileges, capabilities CHOWN, SETGID, SETUID only, writable root filesystem');
    expect(text).toContain('      limits   memory 2g (no swap), pids 1024');
    expect(text).toContain('      network  the network namespace of jobmon087_db_1 (reaches it as 127.0.0.1)');
  });

  it('states the release, the bind address and the labels every resource carries', () => {
    expect(text.split('\n').slice(0, 11)).toEqual([
      'deploy plan: release-0.8.7 (http.11) on jobmon-docker-cont-p01, compose project jobmon087',
      '  version 0.8.7, commit 0123456789abcdef0123456789abcdef01234567, by svcscicompci at 2025-03-04T05:06:07.000Z',
      '  ports bound to 127.0.0.1; each health gate waits up to 90 s',
      '  labels of every resource:',
      '    com.docker.compose.project=jobmon087',
      '    org.jobmon-ops.managed=true',
      '    org.jobmon-ops.release=release-0.8.7',
      '    org.jobmon-ops.version=0.8.7',
      '    org.jobmon-ops.commit=0123456789abcdef0123456789abcdef01234567',
      '    org.jobmon-ops.deployed-by=svcscicompci',
      '    org.jobmon-ops.deployed-at=2025-03-04T05:06:07.000Z',
    ]);
  });
});

describe('planToJson', () => {
  it('is the whole plan with every secret as [REDACTED]', () => {
    const json = planToJson(plan);
    expectNoSentinel(json);
    const data = expectJsonOutput('deploy --dry-run', json);
    expect(data.steps).toHaveLength(12);
    expect(data.steps[4].container.env).toEqual({ MARIADB_ROOT_PASSWORD: '[REDACTED]' });
    expect(data.steps[10].container.env.SLACK_TOKEN).toBe('[REDACTED]');
    expect(data.steps[10].container.env.WF_SLACK_CHANNEL).toBe('jobmon-alerts');
  });

  it('the plan object itself prints redacted too (JSON.stringify, util.inspect)', () => {
    expectNoSentinel(JSON.stringify(plan));
    expectNoSentinel(inspect(plan, { depth: null }));
  });
});

describe('stepTitle', () => {
  it('one short line per step, for progress output', () => {
    expect(plan.steps.map(stepTitle)).toEqual([
      'image jobmon-server:0123456789ab',
      'image jobmon-mariadb:0123456789ab',
      'network jobmon087_default',
      'volume jobmon087_db_data',
      'start jobmon087_db_1',
      'wait: DB accepting connections (jobmon087_db_1)',
      'run jobmon087_initdb_1',
      'wait: initdb finished (jobmon087_initdb_1)',
      'start jobmon087_jobmon_1',
      'wait: web service healthy (jobmon087_jobmon_1)',
      'start jobmon087_monitor_1',
      'wait: monitor polling (jobmon087_monitor_1)',
    ]);
  });
});
