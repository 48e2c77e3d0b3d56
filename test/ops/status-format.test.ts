import { describe, expect, it } from 'vitest';
import { formatMonitor, formatStatus, statusToJson } from '../../src/ops/status-format.js';
import { expectJsonOutput } from '../fixtures/json-schemas.js';
import type { StatusReport } from '../../src/ops/status.js';

const now = Date.parse('2026-01-04T00:00:00Z');
const release = { name: 'release-0.8.7', label: 'http.11', host: 'p01', version: '0.8.7', project: 'jobmon087' };
const c = (service: string, ports: { hostIp: string; hostPort: number; containerPort: number }[] = []) => ({
  id: service, name: `jobmon087_${service}_1`, project: 'jobmon087', service, state: 'running', health: 'healthy',
  startedAt: '2026-01-01T00:00:00Z', ports, image: 'jobmon-server:0123456789ab', version: '0.8.7', oneoff: false,
});

describe('status as text', () => {
  it('a degraded stack: its containers, the missing one with the fix, releases not running and stray containers', () => {
    const report: StatusReport = {
      engine: 'unix:///var/run/docker.sock',
      hosts: ['p01'],
      stacks: [{
        release, state: 'degraded', missing: ['monitor'],
        containers: [c('db', [{ hostIp: '0.0.0.0', hostPort: 3870, containerPort: 3306 }]), c('jobmon', [{ hostIp: '0.0.0.0', hostPort: 8756, containerPort: 80 }])],
        monitor: 'unknown',
      }],
      notRunning: [{ ...release, name: 'release-0.8.6', label: 'http.10', project: 'jobmon086' }],
      unregistered: [{ ...c('jobmon'), name: 'jobmon070_jobmon_1', project: 'jobmon070', health: undefined, state: 'exited', finishedAt: '2026-01-03T00:00:00Z', exitCode: 137 } as never],
    };
    expect(formatStatus(report, now).split('\n')).toEqual([
      'release-0.8.7 (http.11) on p01, project jobmon087: degraded',
      '  monitor last poll: unknown (the web service did not answer GET /health)',
      '  SERVICE  CONTAINER           STATE    HEALTH   UPTIME     PORTS               IMAGE                       VERSION',
      '  db       jobmon087_db_1      running  healthy  up 3 days  0.0.0.0:3870->3306  jobmon-server:0123456789ab  0.8.7',
      '  jobmon   jobmon087_jobmon_1  running  healthy  up 3 days  0.0.0.0:8756->80    jobmon-server:0123456789ab  0.8.7',
      '  monitor  -                   missing  -        -          -                   -                           -',
      '  monitor missing (removed by hand?); jobmon-ops deploy release-0.8.7 --redeploy recreates the stack, keeping its data',
      '',
      'registered, not running: release-0.8.6 (http.10) on p01',
      'Jobmon-looking containers of no registered release:',
      '  jobmon070_jobmon_1  jobmon070  exited  exited 1 day ago (code 137)  -  jobmon-server:0123456789ab',
    ]);
  });

  it('an empty engine says which hosts it could list', () => {
    expect(formatStatus({ engine: 'tcp://h:2375', hosts: [], stacks: [], notRunning: [], unregistered: [] }, now)).toBe(
      'no registered Jobmon stack on tcp://h:2375; pass --host H to list the releases registered on H',
    );
  });

  it('the monitor line: last poll, staleness, last error', () => {
    expect(formatMonitor({ lastPollAt: '2026-01-01T00:00:00Z', secondsSinceLastPoll: 90, stale: true, lastError: 'Slack said 500' })).toBe(
      'monitor last poll: 2026-01-01T00:00:00Z (1 minute ago); STALE: the monitor has missed polls; last error: Slack said 500',
    );
    expect(formatMonitor({ lastPollAt: null, secondsSinceLastPoll: null, stale: true, lastError: null })).toBe('monitor last poll: none yet');
  });
});

describe('status --json', () => {
  it('is the report under schemaVersion 1, each container with its uptime spelled out', () => {
    const report: StatusReport = {
      engine: 'unix:///var/run/docker.sock', hosts: ['p01'],
      stacks: [{ release, state: 'running', missing: [], containers: [c('db')], monitor: 'unknown' }],
      notRunning: [], unregistered: [],
    };
    const data = expectJsonOutput('status', statusToJson(report, now));
    expect(data.stacks[0].release).toEqual({ ...release, tag: 'release-0.8.7' });
    expect(data.stacks[0].containers[0]).toMatchObject({ name: 'jobmon087_db_1', uptime: 'up 3 days' });
  });
});
