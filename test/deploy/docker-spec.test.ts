import { describe, expect, it } from 'vitest';
import { toDockerCreateOptions, toDockerNetworkOptions, toDockerVolumeOptions } from '../../src/deploy/docker-spec.js';
import { planDeploy, type ContainerSpec, type DeployPlan, type ServiceName } from '../../src/deploy/plan.js';
import { COMMIT, DEPLOYED_AT, input087, SENTINELS } from './fixtures.js';

const ours = {
  'org.jobmon-ops.managed': 'true',
  'org.jobmon-ops.release': 'release-0.8.7',
  'org.jobmon-ops.version': '0.8.7',
  'org.jobmon-ops.commit': COMMIT,
  'org.jobmon-ops.deployed-by': 'svcscicompci',
  'org.jobmon-ops.deployed-at': DEPLOYED_AT,
};
const LOGS = { Type: 'json-file', Config: { 'max-size': '100m', 'max-file': '10' } };
const S = 1_000_000_000;
const MIB = 1024 * 1024;
/** What every container gets: no capability but those added back, no new privileges, memory without swap beyond it. */
const hardened = (capAdd: string[], readonly: boolean, memory: number, pids: number) => ({
  SecurityOpt: ['no-new-privileges'],
  CapDrop: ['ALL'],
  CapAdd: capAdd,
  ReadonlyRootfs: readonly,
  Tmpfs: {},
  Memory: memory,
  MemorySwap: memory,
  PidsLimit: pids,
});

function container(plan: DeployPlan, service: ServiceName): ContainerSpec {
  for (const step of plan.steps) if ((step.kind === 'container' || step.kind === 'oneshot') && step.container.service === service) return step.container;
  throw new Error(`no ${service} container`);
}

describe('toDockerCreateOptions', () => {
  const plan = planDeploy(input087());

  it('the DB: published port, volume mount, alias db, restart and log policy, a healthcheck without a password on its command line', () => {
    expect(toDockerCreateOptions(container(plan, 'db'))).toStrictEqual({
      name: 'jobmon087_db_1',
      Image: 'jobmon-mariadb:0123456789ab',
      Env: [`MARIADB_ROOT_PASSWORD=${SENTINELS.root}`],
      Labels: {
        'com.docker.compose.project': 'jobmon087',
        'com.docker.compose.service': 'db',
        'com.docker.compose.container-number': '1',
        'com.docker.compose.oneoff': 'False',
        ...ours,
      },
      ExposedPorts: { '3306/tcp': {} },
      Healthcheck: {
        Test: ['CMD', 'mariadb-admin', '--protocol=tcp', '--host=127.0.0.1', '--port=3306', '--user=healthcheck', 'ping'],
        Interval: 2 * S,
        Timeout: 5 * S,
        Retries: 3,
        StartPeriod: 90 * S,
      },
      HostConfig: {
        NetworkMode: 'jobmon087_default',
        PortBindings: { '3306/tcp': [{ HostIp: '127.0.0.1', HostPort: '3870' }] },
        Mounts: [{ Type: 'volume', Source: 'jobmon087_db_data', Target: '/var/lib/mysql' }],
        RestartPolicy: { Name: 'unless-stopped' },
        LogConfig: LOGS,
        ...hardened(['CHOWN', 'SETGID', 'SETUID'], false, 2048 * MIB, 1024),
      },
      NetworkingConfig: { EndpointsConfig: { jobmon087_default: { Aliases: ['db'] } } },
    });
  });

  it('the initdb one-shot: its command (the entry point\'s arguments), no restart, no ports, oneoff=True, the image\'s healthcheck off, in the DB\'s network namespace', () => {
    expect(toDockerCreateOptions(container(plan, 'initdb'))).toStrictEqual({
      name: 'jobmon087_initdb_1',
      Image: 'jobmon-server:0123456789ab',
      Cmd: ['initdb'],
      Healthcheck: { Test: ['NONE'] },
      Env: [
        'DB_HOST=127.0.0.1',
        'DB_PORT=3306',
        'DB_NAME=docker',
        'DB_USER=root',
        `DB_PASS=${SENTINELS.root}`,
        `JOBMON_PASS_TABLE_CREATOR=${SENTINELS.tableCreator}`,
        `JOBMON_PASS_SERVICE_USER=${SENTINELS.serviceUser}`,
        `JOBMON_PASS_READ_ONLY=${SENTINELS.readOnly}`,
      ],
      Labels: {
        'com.docker.compose.project': 'jobmon087',
        'com.docker.compose.service': 'initdb',
        'com.docker.compose.container-number': '1',
        'com.docker.compose.oneoff': 'True',
        ...ours,
      },
      ExposedPorts: {},
      HostConfig: {
        NetworkMode: 'container:jobmon087_db_1',
        PortBindings: {},
        Mounts: [],
        RestartPolicy: { Name: 'no' },
        LogConfig: LOGS,
        ...hardened([], true, 512 * MIB, 128),
      },
    });
  });

  it('the web service of a semver release: JQS and JSM host ports both bound to the one service port', () => {
    const release = { label: 'http.20', tag: 'release-1.0.12', jqs: 10121, jsm1: 10122, db: 10120 };
    const semver = planDeploy({ ...input087(), release: { host: 'h1', index: 0, release } });
    const options = toDockerCreateOptions(container(semver, 'jobmon'));
    expect(options.Cmd).toEqual(['web']);
    expect(options.ExposedPorts).toStrictEqual({ '80/tcp': {} });
    expect(options.HostConfig.PortBindings).toStrictEqual({
      '80/tcp': [
        { HostIp: '127.0.0.1', HostPort: '10121' },
        { HostIp: '127.0.0.1', HostPort: '10122' },
      ],
    });
    expect(options.NetworkingConfig).toStrictEqual({ EndpointsConfig: { jobmon1012_default: { Aliases: ['jobmon'] } } });
    expect(options.Healthcheck).toBeUndefined();
    expect(options.HostConfig).toMatchObject(hardened([], true, 1024 * MIB, 256));
  });

  it('the monitor switches the image\'s HTTP healthcheck off: it serves no HTTP', () => {
    const options = toDockerCreateOptions(container(plan, 'monitor'));
    expect(options.Cmd).toEqual(['monitor']);
    expect(options.Healthcheck).toStrictEqual({ Test: ['NONE'] });
    expect(options.HostConfig).toMatchObject(hardened([], true, 512 * MIB, 128));
  });

  it("a configured limit reaches the engine's options, swap included", () => {
    const limited = planDeploy({ ...input087(), limits: { jobmon: { memory: 300 * MIB, pids: 64 } } });
    expect(toDockerCreateOptions(container(limited, 'jobmon')).HostConfig).toMatchObject({ Memory: 300 * MIB, MemorySwap: 300 * MIB, PidsLimit: 64 });
  });

  it('no secret on any command line: every Cmd and healthcheck Test is free of the sentinels', () => {
    const argv = plan.steps
      .flatMap((s) => (s.kind === 'container' || s.kind === 'oneshot' ? [toDockerCreateOptions(s.container)] : []))
      .flatMap((o) => [...(o.Cmd ?? []), ...(o.Healthcheck?.Test ?? [])])
      .join(' ');
    for (const sentinel of Object.values(SENTINELS)) expect(argv).not.toContain(sentinel);
  });
});

describe('toDockerNetworkOptions and toDockerVolumeOptions', () => {
  const plan = planDeploy(input087());
  it('names, drivers and labels as compose would', () => {
    const network = plan.steps.find((s) => s.kind === 'network')!;
    const volume = plan.steps.find((s) => s.kind === 'volume')!;
    if (network.kind !== 'network' || volume.kind !== 'volume') throw new Error('missing steps');
    expect(toDockerNetworkOptions(network)).toStrictEqual({
      Name: 'jobmon087_default',
      Driver: 'bridge',
      Labels: { 'com.docker.compose.project': 'jobmon087', 'com.docker.compose.network': 'default', ...ours },
    });
    expect(toDockerVolumeOptions(volume)).toStrictEqual({
      Name: 'jobmon087_db_data',
      Driver: 'local',
      Labels: { 'com.docker.compose.project': 'jobmon087', 'com.docker.compose.volume': 'db_data', ...ours },
    });
  });
});
