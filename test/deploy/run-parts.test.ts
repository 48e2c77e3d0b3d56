import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { demuxLogs } from '../../src/deploy/container-logs.js';
import { planDeploy } from '../../src/deploy/plan.js';
import { parseLabels, withExtras } from '../../src/deploy/plan-extras.js';
import { probePort } from '../../src/deploy/port-probe.js';
import { clientAddressOf, isLocalEngine } from '../../src/deploy/preflight.js';
import { formatSummary, pendingRecord } from '../../src/deploy/report.js';
import { Secret } from '../../src/server/secret.js';
import { input087, SENTINELS } from './fixtures.js';

describe('probePort', () => {
  it('says free, or in use and by which process', async () => {
    const server = net.createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as net.AddressInfo;
    try {
      expect(await probePort('127.0.0.1', port)).toEqual({ free: false, code: 'EADDRINUSE', by: expect.stringMatching(new RegExp(`\\(pid ${process.pid}\\)$`)) });
      // all addresses collide with one of them, as the engine's bind would
      expect(await probePort('0.0.0.0', port)).toMatchObject({ free: false, code: 'EADDRINUSE' });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(await probePort('127.0.0.1', port)).toEqual({ free: true });
  });
});

describe('demuxLogs', () => {
  it('joins the frames of the Engine API log stream, and takes unframed text as it is', () => {
    const frame = (stream: number, text: string) => {
      const body = Buffer.from(text);
      const head = Buffer.alloc(8);
      head[0] = stream;
      head.writeUInt32BE(body.length, 4);
      return Buffer.concat([head, body]);
    };
    expect(demuxLogs(Buffer.concat([frame(1, 'out 1\n'), frame(2, 'err 2\n'), frame(1, 'out 3\n')]))).toBe('out 1\nerr 2\nout 3\n');
    expect(demuxLogs(Buffer.from('plain text\n'))).toBe('plain text\n');
  });
});

describe('plan extras', () => {
  it('adds labels everywhere and DB server options to the DB only', () => {
    const plan = withExtras(planDeploy(input087()), parseLabels(['org.jobmon-ops.test=1']), ['--skip-networking']);
    for (const step of plan.steps) {
      if (step.kind === 'network' || step.kind === 'volume') expect(step.labels['org.jobmon-ops.test']).toBe('1');
      if (step.kind === 'container' || step.kind === 'oneshot') {
        expect(step.container.labels['org.jobmon-ops.test']).toBe('1');
        expect(step.container.command).toEqual(step.container.service === 'db' ? ['--skip-networking'] : [step.container.service === 'jobmon' ? 'web' : step.container.service]);
      }
    }
    expect(() => parseLabels(['novalue'])).toThrow('--label novalue is not key=value');
    const plain = planDeploy(input087());
    expect(withExtras(plain, {})).toBe(plain);
  });
});

describe('where clients reach the ports', () => {
  const unix = { kind: 'unix', url: 'unix:///var/run/docker.sock', socketPath: '/var/run/docker.sock' } as const;
  const ssh = { kind: 'ssh', url: 'ssh://svc@h1', host: 'h1', port: 22 } as const;
  it('the configured address, else 127.0.0.1 (or the bound address) locally, else the engine host', () => {
    expect(clientAddressOf({ hosts: { h1: { address: 'h1.example.org' } } }, 'h1', ssh, '0.0.0.0')).toBe('h1.example.org');
    expect(clientAddressOf({ hosts: {} }, 'h1', unix, '0.0.0.0')).toBe('127.0.0.1');
    expect(clientAddressOf({ hosts: {} }, 'h1', unix, '10.1.2.3')).toBe('10.1.2.3');
    expect(clientAddressOf({ hosts: {} }, 'h1', ssh, '0.0.0.0')).toBe('h1');
    expect(isLocalEngine(unix)).toBe(true);
    expect(isLocalEngine(ssh)).toBe(false);
    expect(isLocalEngine({ kind: 'tcp', url: 'tcp://127.0.0.1:2375', host: '127.0.0.1', port: 2375, tls: false })).toBe(true);
  });
});

describe('the record and the summary', () => {
  it('the record holds the passwords; the summary names every account and never a password', () => {
    const plan = planDeploy(input087());
    const secrets = { root: new Secret(SENTINELS.root), tableCreator: new Secret(SENTINELS.tableCreator), serviceUser: new Secret(SENTINELS.serviceUser), readOnly: new Secret(SENTINELS.readOnly) };
    const record = pendingRecord({ plan, engine: 'unix:///var/run/docker.sock', clientAddress: '127.0.0.1', secrets, slack: { wfChannel: 'wf', nodeChannel: 'nodes' }, checkout: '/co' });
    expect(record).toMatchObject({ status: 'pending', project: 'jobmon087', database: { accounts: { read_only: SENTINELS.readOnly } }, slack: { token: 'none' } });
    const text = formatSummary({ ...record, status: 'deployed' }, '/d/0.8.7/x.json', 12.34);
    expect(text.split('\n')).toEqual([
      `deployed release-0.8.7 (http.11) on jobmon-docker-cont-p01 in 12.3 s: compose project jobmon087, commit ${plan.commit.slice(0, 12)}`,
      '  service   http://127.0.0.1:8756/ (jsm-1)',
      '  database  127.0.0.1:3870, database docker',
      '    service_user   mysql://service_user@127.0.0.1:3870/docker',
      '    read_only      mysql://read_only@127.0.0.1:3870/docker',
      '    (root and table_creator log in only inside the DB container; jobmon-ops restore and dump --in-container use them there)',
      '  slack     off (no token); lost runs to #wf, failing nodes to #nodes',
      '  record    /d/0.8.7/x.json (mode 0600; it holds the passwords)',
      '  logs      jobmon-ops logs release-0.8.7',
    ]);
    for (const value of Object.values(SENTINELS)) expect(text).not.toContain(value);
  });
});
