import { describe, expect, it } from 'vitest';
import { planDeploy } from '../../src/deploy/plan.js';
import { UsageError } from '../../src/errors.js';
import { COMMIT, DEPLOYED_AT, input087, revealSecrets, SENTINELS } from './fixtures.js';

const ours = {
  'org.jobmon-ops.managed': 'true',
  'org.jobmon-ops.release': 'release-0.8.7',
  'org.jobmon-ops.version': '0.8.7',
  'org.jobmon-ops.commit': COMMIT,
  'org.jobmon-ops.deployed-by': 'svcscicompci',
  'org.jobmon-ops.deployed-at': DEPLOYED_AT,
};
const compose = (service: string, oneoff = 'False') => ({
  'com.docker.compose.project': 'jobmon087',
  'com.docker.compose.service': service,
  'com.docker.compose.container-number': '1',
  'com.docker.compose.oneoff': oneoff,
});
const logging = { driver: 'json-file', maxSize: '100m', maxFile: 10 };
const root = { secret: SENTINELS.root };
const serviceUser = { secret: SENTINELS.serviceUser };
const readOnly = { secret: SENTINELS.readOnly };
const SERVER = 'jobmon-server:0123456789ab';
const MIB = 1024 * 1024;
// Every capability dropped; the DB's entry point gets back only what it needs to hand its folders to mysql and switch to it.
const dbSecurity = { noNewPrivileges: true, capAdd: ['CHOWN', 'SETGID', 'SETUID'], readOnlyRootfs: false, tmpfs: {} };
const serverSecurity = { noNewPrivileges: true, capAdd: [], readOnlyRootfs: true, tmpfs: {} };
const DB = 'jobmon-mariadb:0123456789ab';

/** The whole plan for release-0.8.7 (jsm-1 8756, db 3870) bound to 127.0.0.1. */
const EXPECTED_087 = {
  release: { tag: 'release-0.8.7', version: '0.8.7', label: 'http.11', host: 'jobmon-docker-cont-p01', project: 'jobmon087' },
  commit: COMMIT,
  deployedBy: 'svcscicompci',
  deployedAt: DEPLOYED_AT,
  bindAddress: '127.0.0.1',
  redeploy: false,
  timeoutSeconds: 90,
  images: { server: SERVER, db: DB },
  network: 'jobmon087_default',
  volume: 'jobmon087_db_data',
  containers: { db: 'jobmon087_db_1', jobmon: 'jobmon087_jobmon_1', monitor: 'jobmon087_monitor_1', initdb: 'jobmon087_initdb_1' },
  steps: [
    { kind: 'image', role: 'server', image: SERVER, onExisting: 'reuse' },
    { kind: 'image', role: 'db', image: DB, onExisting: 'reuse' },
    {
      kind: 'network',
      name: 'jobmon087_default',
      driver: 'bridge',
      labels: { 'com.docker.compose.project': 'jobmon087', 'com.docker.compose.network': 'default', ...ours },
      onExisting: 'reuse',
    },
    {
      kind: 'volume',
      name: 'jobmon087_db_data',
      driver: 'local',
      labels: { 'com.docker.compose.project': 'jobmon087', 'com.docker.compose.volume': 'db_data', ...ours },
      onExisting: 'reuse',
    },
    {
      kind: 'container',
      onExisting: 'fail',
      container: {
        name: 'jobmon087_db_1',
        service: 'db',
        image: DB,
        labels: { ...compose('db'), ...ours },
        network: { name: 'jobmon087_default', aliases: ['db'] },
        restart: 'unless-stopped',
        logging,
        security: dbSecurity,
        limits: { memoryBytes: 2048 * MIB, pids: 1024 },
        env: { MARIADB_ROOT_PASSWORD: root },
        ports: [{ name: 'db', hostIp: '127.0.0.1', hostPort: 3870, containerPort: 3306, protocol: 'tcp' }],
        mounts: [{ volume: 'jobmon087_db_data', target: '/var/lib/mysql' }],
        healthcheck: {
          command: ['mariadb-admin', '--protocol=tcp', '--host=127.0.0.1', '--port=3306', '--user=healthcheck', 'ping'],
          intervalSeconds: 2,
          timeoutSeconds: 5,
          retries: 3,
          startPeriodSeconds: 90,
        },
      },
    },
    { kind: 'wait', gate: 'db-ready', container: 'jobmon087_db_1', check: { type: 'healthcheck' }, timeoutSeconds: 90 },
    {
      kind: 'oneshot',
      onExisting: 'replace',
      removeOnSuccess: true,
      container: {
        name: 'jobmon087_initdb_1',
        service: 'initdb',
        image: SERVER,
        labels: { ...compose('initdb', 'True'), ...ours },
        // root logs in only from the DB container itself: initdb shares its network namespace.
        network: { namespaceOf: 'jobmon087_db_1' },
        restart: 'no',
        logging,
        security: serverSecurity,
        limits: { memoryBytes: 512 * MIB, pids: 128 },
        command: ['initdb'],
        healthcheck: 'none',
        env: {
          DB_HOST: '127.0.0.1',
          DB_PORT: '3306',
          DB_NAME: 'docker',
          DB_USER: 'root',
          DB_PASS: root,
          JOBMON_PASS_TABLE_CREATOR: { secret: SENTINELS.tableCreator },
          JOBMON_PASS_SERVICE_USER: serviceUser,
          JOBMON_PASS_READ_ONLY: readOnly,
        },
        ports: [],
        mounts: [],
      },
    },
    { kind: 'wait', gate: 'initdb-done', container: 'jobmon087_initdb_1', check: { type: 'exit', code: 0 }, timeoutSeconds: 90 },
    {
      kind: 'container',
      onExisting: 'fail',
      container: {
        name: 'jobmon087_jobmon_1',
        service: 'jobmon',
        image: SERVER,
        labels: { ...compose('jobmon'), ...ours },
        network: { name: 'jobmon087_default', aliases: ['jobmon'] },
        restart: 'unless-stopped',
        logging,
        security: serverSecurity,
        limits: { memoryBytes: 1024 * MIB, pids: 256 },
        command: ['web'],
        env: {
          DB_HOST: 'db',
          DB_PORT: '3306',
          DB_NAME: 'docker',
          DB_USER: 'service_user',
          DB_PASS: serviceUser,
          JQS_DB_USER: 'read_only',
          JQS_DB_PASS: readOnly,
          LISTEN_PORT: '80',
        },
        ports: [{ name: 'jsm-1', hostIp: '127.0.0.1', hostPort: 8756, containerPort: 80, protocol: 'tcp' }],
        mounts: [],
      },
    },
    {
      kind: 'wait',
      gate: 'web-healthy',
      container: 'jobmon087_jobmon_1',
      check: { type: 'http', path: '/health', status: 200, containerPort: 80, publishedPort: 8756 },
      timeoutSeconds: 90,
    },
    {
      kind: 'container',
      onExisting: 'fail',
      container: {
        name: 'jobmon087_monitor_1',
        service: 'monitor',
        image: SERVER,
        labels: { ...compose('monitor'), ...ours },
        network: { name: 'jobmon087_default', aliases: ['monitor'] },
        restart: 'unless-stopped',
        logging,
        security: serverSecurity,
        limits: { memoryBytes: 512 * MIB, pids: 128 },
        command: ['monitor'],
        healthcheck: 'none',
        env: {
          DB_HOST: 'db',
          DB_PORT: '3306',
          DB_NAME: 'docker',
          DB_USER: 'service_user',
          DB_PASS: serviceUser,
          SLACK_TOKEN: { secret: SENTINELS.slackToken },
          WF_SLACK_CHANNEL: 'jobmon-alerts',
          NODE_SLACK_CHANNEL: 'suspicious_nodes',
          MONITOR_LOSS_THRESHOLD: '5m',
          MONITOR_POLL_INTERVAL: '10m',
        },
        ports: [],
        mounts: [],
      },
    },
    {
      kind: 'wait',
      gate: 'monitor-polling',
      container: 'jobmon087_monitor_1',
      check: { type: 'monitor-poll', path: '/health', containerPort: 80, publishedPort: 8756 },
      timeoutSeconds: 90,
    },
  ],
};

describe('planDeploy', () => {
  it('plans release-0.8.7 exactly: names, labels, env, ports, restart and log policy, gates, in start order', () => {
    expect(revealSecrets(planDeploy(input087()))).toStrictEqual(EXPECTED_087);
  });

  it('keeps env names in a fixed order and gives each service only the accounts it needs', () => {
    const plan = planDeploy(input087());
    const envNames = Object.fromEntries(
      plan.steps.flatMap((s) => (s.kind === 'container' || s.kind === 'oneshot' ? [[s.container.service, Object.keys(s.container.env)]] : [])),
    );
    expect(envNames).toEqual({
      db: ['MARIADB_ROOT_PASSWORD'],
      initdb: ['DB_HOST', 'DB_PORT', 'DB_NAME', 'DB_USER', 'DB_PASS', 'JOBMON_PASS_TABLE_CREATOR', 'JOBMON_PASS_SERVICE_USER', 'JOBMON_PASS_READ_ONLY'],
      jobmon: ['DB_HOST', 'DB_PORT', 'DB_NAME', 'DB_USER', 'DB_PASS', 'JQS_DB_USER', 'JQS_DB_PASS', 'LISTEN_PORT'],
      monitor: ['DB_HOST', 'DB_PORT', 'DB_NAME', 'DB_USER', 'DB_PASS', 'SLACK_TOKEN', 'WF_SLACK_CHANNEL', 'NODE_SLACK_CHANNEL', 'MONITOR_LOSS_THRESHOLD', 'MONITOR_POLL_INTERVAL'],
    });
  });

  it('orders the steps: images, network, volume, then each container before its gate', () => {
    const order = planDeploy(input087()).steps.map((s) =>
      s.kind === 'wait' ? `wait ${s.gate}` : s.kind === 'container' || s.kind === 'oneshot' ? `${s.kind} ${s.container.service}` : s.kind,
    );
    expect(order).toEqual([
      'image',
      'image',
      'network',
      'volume',
      'container db',
      'wait db-ready',
      'oneshot initdb',
      'wait initdb-done',
      'container jobmon',
      'wait web-healthy',
      'container monitor',
      'wait monitor-polling',
    ]);
  });

  it('maps both the JQS and the JSM port of a semver release to the one service port', () => {
    const input = input087();
    const release = { label: 'http.20', tag: 'release-1.0.12', jqs: 10121, jsm1: 10122, db: 10120, viz: 10123 };
    const plan = planDeploy({ ...input, release: { host: 'h1', index: 0, release } });
    const web = plan.steps.find((s) => s.kind === 'container' && s.container.service === 'jobmon');
    const db = plan.steps.find((s) => s.kind === 'container' && s.container.service === 'db');
    expect(plan.release).toEqual({ tag: 'release-1.0.12', version: '1.0.12', label: 'http.20', host: 'h1', project: 'jobmon1012' });
    expect(plan.containers.jobmon).toBe('jobmon1012_jobmon_1');
    expect(web?.kind === 'container' && web.container.ports).toEqual([
      { name: 'jqs', hostIp: '127.0.0.1', hostPort: 10121, containerPort: 80, protocol: 'tcp' },
      { name: 'jsm-1', hostIp: '127.0.0.1', hostPort: 10122, containerPort: 80, protocol: 'tcp' },
    ]);
    expect(db?.kind === 'container' && db.container.ports).toEqual([{ name: 'db', hostIp: '127.0.0.1', hostPort: 10120, containerPort: 3306, protocol: 'tcp' }]);
    expect(plan.steps.find((s) => s.kind === 'wait' && s.gate === 'web-healthy')).toMatchObject({ check: { publishedPort: 10121 } });
  });

  it('binds all addresses by default; --redeploy replaces containers; --base-image reaches both image steps; no token, no SLACK_TOKEN', () => {
    const { bindAddress: _bind, ...rest } = input087();
    const { slackToken: _token, ...secrets } = rest.secrets;
    const plan = planDeploy({ ...rest, secrets, redeploy: true, baseImage: 'debian:12-offline' });
    expect(plan.bindAddress).toBe('0.0.0.0');
    const containers = plan.steps.filter((s) => s.kind === 'container');
    expect(containers.map((s) => s.onExisting)).toEqual(['replace', 'replace', 'replace']);
    expect(containers.flatMap((s) => s.container.ports.map((p) => p.hostIp))).toEqual(['0.0.0.0', '0.0.0.0']);
    expect(plan.steps.filter((s) => s.kind === 'image').map((s) => s.baseImage)).toEqual(['debian:12-offline', 'debian:12-offline']);
    expect(Object.keys(containers[2]!.container.env)).not.toContain('SLACK_TOKEN');
  });

  it("takes the configuration's limits over the defaults, each service its own", () => {
    const plan = planDeploy({ ...input087(), limits: { db: { memory: 3 * 1024 * MIB }, monitor: { memory: 64 * MIB, pids: 32 } } });
    const limits = plan.steps.flatMap((s) => (s.kind === 'container' || s.kind === 'oneshot' ? [[s.container.service, s.container.limits]] : []));
    expect(Object.fromEntries(limits)).toEqual({
      db: { memoryBytes: 3072 * MIB, pids: 1024 },
      initdb: { memoryBytes: 512 * MIB, pids: 128 },
      jobmon: { memoryBytes: 1024 * MIB, pids: 256 },
      monitor: { memoryBytes: 64 * MIB, pids: 32 },
    });
  });

  it('refuses a release without a semver tag or without a DB or service port', () => {
    const input = input087();
    const plan = (release: Record<string, unknown>) => () => planDeploy({ ...input, release: { host: 'h', index: 0, release: { label: 'x', ...release } } });
    expect(plan({ tag: 'kelly-and-leo', jsm1: 1, db: 2 })).toThrow(UsageError);
    expect(plan({ tag: 'kelly-and-leo', jsm1: 1, db: 2 })).toThrow('kelly-and-leo has no semver tag (release-X.Y.Z); deploy needs one');
    expect(plan({ tag: 'release-0.9.0', jsm1: 9056, db: 'n/a' })).toThrow('release-0.9.0 has no registered db port on h');
    expect(plan({ tag: 'release-0.9.0', jqs: 'na', db: 3900 })).toThrow('release-0.9.0 has no registered JQS or JSM port on h');
  });
});
