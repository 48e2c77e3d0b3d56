import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { looksLikeJobmon, stackState, viewOf, type ContainerView } from '../../src/ops/stack.js';
import { formatPorts, humanDuration, uptime } from '../../src/ops/format.js';

function inspect(overrides: { name?: string; labels?: Record<string, string>; state?: Record<string, unknown>; ports?: Record<string, { HostIp: string; HostPort: string }[] | null> } = {}) {
  return {
    Id: 'abc123',
    Name: `/${overrides.name ?? 'jobmon087_jobmon_1'}`,
    Config: {
      Image: 'jobmon-server:0123456789ab',
      Labels: overrides.labels ?? {
        'com.docker.compose.project': 'jobmon087',
        'com.docker.compose.service': 'jobmon',
        'com.docker.compose.oneoff': 'False',
        'org.jobmon-ops.version': '0.8.7',
        'org.jobmon-ops.release': 'release-0.8.7',
      },
    },
    State: { Status: 'running', StartedAt: '2026-01-01T00:00:00.5Z', FinishedAt: '0001-01-01T00:00:00Z', ExitCode: 0, Health: { Status: 'healthy' }, ...overrides.state },
    NetworkSettings: { Ports: overrides.ports ?? { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8756' }, { HostIp: '::', HostPort: '8756' }] } },
  } as unknown as Docker.ContainerInspectInfo;
}

const view = (service: string, state = 'running', health?: string): ContainerView => ({
  id: service, name: `jobmon087_${service}_1`, project: 'jobmon087', service, state, ports: [], image: 'i', oneoff: false, ...(health ? { health } : {}),
});

describe('viewOf: a container as the operating commands show it', () => {
  it('reads service, health, start time, published ports and our labels', () => {
    expect(viewOf(inspect())).toEqual({
      id: 'abc123', name: 'jobmon087_jobmon_1', project: 'jobmon087', service: 'jobmon', state: 'running', health: 'healthy',
      startedAt: '2026-01-01T00:00:00.5Z', ports: [{ hostIp: '127.0.0.1', hostPort: 8756, containerPort: 80 }],
      image: 'jobmon-server:0123456789ab', version: '0.8.7', release: 'release-0.8.7', oneoff: false,
    });
  });

  it('takes project and service from a compose-style name when there are no labels, and the exit code of a stopped one', () => {
    const v = viewOf(inspect({ name: 'jobmon082_db_1', labels: {}, state: { Status: 'exited', ExitCode: 137, FinishedAt: '2026-01-01T01:00:00Z', Health: undefined }, ports: {} }));
    expect(v).toMatchObject({ project: 'jobmon082', service: 'db', state: 'exited', exitCode: 137, finishedAt: '2026-01-01T01:00:00Z', ports: [] });
    expect(v.health).toBeUndefined();
  });

  it('knows a Jobmon-looking container by compose project or by name', () => {
    expect(looksLikeJobmon('x', { 'com.docker.compose.project': 'jobmon087' })).toBe(true);
    expect(looksLikeJobmon('jobmon082_jobmon_1', {})).toBe(true);
    expect(looksLikeJobmon('jobmon087_deploy_lock', {})).toBe(false);
    expect(looksLikeJobmon('jobmon082_jobmon_1', { 'com.docker.compose.project': 'other' })).toBe(false);
  });
});

describe('stackState', () => {
  it('running, starting, stopped, degraded and absent', () => {
    expect(stackState([view('db', 'running', 'healthy'), view('jobmon', 'running', 'healthy'), view('monitor')])).toEqual({ state: 'running', missing: [] });
    expect(stackState([view('db', 'running', 'healthy'), view('jobmon', 'running', 'starting'), view('monitor')]).state).toBe('starting');
    expect(stackState([view('db', 'exited'), view('jobmon', 'exited'), view('monitor', 'exited')]).state).toBe('stopped');
    expect(stackState([view('db', 'running'), view('jobmon', 'exited'), view('monitor')]).state).toBe('degraded');
    expect(stackState([view('db', 'running', 'unhealthy'), view('jobmon'), view('monitor')]).state).toBe('degraded');
    expect(stackState([])).toEqual({ state: 'absent', missing: ['db', 'jobmon', 'monitor'] });
  });

  it('a container removed by hand makes the stack degraded, naming it', () => {
    expect(stackState([view('db', 'running', 'healthy'), view('jobmon', 'running', 'healthy')])).toEqual({ state: 'degraded', missing: ['monitor'] });
  });
});

describe('uptime and ports as people read them', () => {
  const now = Date.parse('2026-01-04T00:00:30Z');
  it.each([
    [{ state: 'running', startedAt: '2026-01-01T00:00:00Z' }, 'up 3 days'],
    [{ state: 'running', startedAt: '2026-01-04T00:00:00Z' }, 'up 30 seconds'],
    [{ state: 'running', startedAt: '2026-01-03T23:59:00Z' }, 'up 1 minute'],
    [{ state: 'exited', finishedAt: '2026-01-03T22:00:00Z', exitCode: 0 }, 'exited 2 hours ago (code 0)'],
    [{ state: 'created' }, 'created, never started'],
    [{ state: 'restarting' }, 'restarting'],
  ])('%o -> %s', (c, text) => {
    expect(uptime(c, now)).toBe(text);
  });

  it('durations and port lists', () => {
    expect(humanDuration(1000)).toBe('1 second');
    expect(humanDuration(7_200_000)).toBe('2 hours');
    expect(formatPorts([{ hostIp: '127.0.0.1', hostPort: 3870, containerPort: 3306 }, { hostIp: '0.0.0.0', hostPort: 8756, containerPort: 80 }])).toBe('127.0.0.1:3870->3306, 0.0.0.0:8756->80');
  });
});
