import { stat } from 'node:fs/promises';
import path from 'node:path';
import type Docker from 'dockerode';
import { createConnection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastLogLines } from '../../src/deploy/container-logs.js';
import { bootstrapTag } from '../../src/deploy/images.js';
import { acquireLock } from '../../src/deploy/lock.js';
import { makeTempDir, REPO_ROOT, type CliResult } from '../helpers/cli.js';
import { TEST_LABEL, testEngine } from '../helpers/docker.js';
import { call } from '../helpers/server.js';
import { deployEnv, errorLines, leftovers, records, removeProject, runDeploy, sentinelValues, SENTINELS, startDeploy, waitForOutput } from './e2e-helpers.js';
import { makeTestRepo, TEST_HOST, type TestRepo } from './e2e-repo.js';

/**
 * `jobmon-ops deploy` for real: a bare repository made from this working tree
 * and tagged, images built from the tag's checkout, a stack on the local
 * engine bound to 127.0.0.1. One deployment (release-9.8.7) is shared by the
 * whole suite; the failure cases use release-9.8.8, a first deploy each time,
 * whose rollback must leave nothing.
 */

const LONG = 900_000;
let docker: Docker;
let repo: TestRepo;
let deployments: string;
let removeDeployments: () => Promise<void>;
let first: CliResult;

// The base image by name: other suites' images can carry the bootstrap label too (built FROM it).
const BASE = ['--base-image', bootstrapTag('bookworm')];
const args = (release: string, ...extra: string[]) =>
  ['deploy', release, '--yes', '--repo', repo.bare, '--host', TEST_HOST, '--bind', '127.0.0.1', '--label', `${TEST_LABEL}=1`, ...BASE, ...extra];
const env = (extra: Record<string, string> = {}) => deployEnv(deployments, extra);
const expectNoSentinel = (text: string) => {
  for (const value of sentinelValues) expect(text).not.toContain(value);
};
const serviceUrl = () => `http://127.0.0.1:${repo.releases.main.service}`;

beforeAll(async () => {
  ({ docker } = testEngine());
  repo = await makeTestRepo();
  ({ dir: deployments, cleanup: removeDeployments } = await makeTempDir('jobmon-ops-e2e-deployments-'));
  for (const r of Object.values(repo.releases)) await removeProject(docker, r.project);
  first = await runDeploy(args(repo.releases.main.tag), env());
}, LONG);

afterAll(async () => {
  for (const r of Object.values(repo?.releases ?? {})) await removeProject(docker, r.project);
  await repo?.cleanup();
  await removeDeployments?.();
}, 120_000);

describe('deploy release-9.8.7 to the local engine', () => {
  it('exits 0 with a summary that points to the record and prints no secret', () => {
    expect(first.stderr, first.stdout).toBe('');
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toMatch(/^preflight ok: release-9\.8\.7 at [0-9a-f]{12} for local on unix:\/\/\//m);
    expect(first.stdout).toMatch(/\[12\/12\] wait: monitor polling \(jobmon987_monitor_1\), up to 120 s/);
    expect(first.stdout).toMatch(/^deployed release-9\.8\.7 \(e2e\.1\) on local in [\d.]+ s: compose project jobmon987/m);
    expect(first.stdout).toContain(`  service   ${serviceUrl()}/ (jsm-1)`);
    expect(first.stdout).toContain(`    read_only      mysql://read_only@127.0.0.1:${repo.releases.main.db}/docker`);
    expectNoSentinel(`${first.stdout}\n${first.stderr}`);
  });

  it('creates the resources named and labelled as planned, bound to 127.0.0.1', async () => {
    const { main } = repo.releases;
    for (const service of ['db', 'jobmon', 'monitor']) {
      const info = await docker.getContainer(`jobmon987_${service}_1`).inspect();
      expect(info.State.Running).toBe(true);
      expect(info.Config.Labels).toMatchObject({
        'com.docker.compose.project': 'jobmon987',
        'com.docker.compose.service': service,
        'com.docker.compose.container-number': '1',
        'com.docker.compose.oneoff': 'False',
        'org.jobmon-ops.release': 'release-9.8.7',
        'org.jobmon-ops.version': '9.8.7',
        'org.jobmon-ops.commit': repo.commit,
        [TEST_LABEL]: '1',
      });
      expect(info.HostConfig.RestartPolicy?.Name).toBe('unless-stopped');
      expect(info.HostConfig.LogConfig).toEqual({ Type: 'json-file', Config: { 'max-size': '100m', 'max-file': '10' } });
      expect(Object.keys(info.NetworkSettings.Networks)).toEqual(['jobmon987_default']);
    }
    const ports = async (name: string) => (await docker.getContainer(name).inspect()).HostConfig.PortBindings;
    expect(await ports('jobmon987_db_1')).toEqual({ '3306/tcp': [{ HostIp: '127.0.0.1', HostPort: String(main.db) }] });
    expect(await ports('jobmon987_jobmon_1')).toEqual({ '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(main.service) }] });
    expect((await docker.getNetwork('jobmon987_default').inspect()).Labels).toMatchObject({ 'com.docker.compose.network': 'default', [TEST_LABEL]: '1' });
    expect((await docker.getVolume('jobmon987_db_data').inspect()).Labels).toMatchObject({ 'com.docker.compose.volume': 'db_data', [TEST_LABEL]: '1' });
    // the one-shot initdb container is gone once it succeeded, and so is the lock
    expect((await leftovers(docker, 'jobmon987')).sort()).toEqual(
      ['container /jobmon987_db_1', 'container /jobmon987_jobmon_1', 'container /jobmon987_monitor_1', 'network jobmon987_default', 'volume jobmon987_db_data'].sort(),
    );
  });

  it('serves a whole job lifecycle on its published port', async () => {
    const s = { url: serviceUrl() };
    const { body: dag } = await call(s, 'POST', '/task_dag', { name: 'e2e', user: 'alice', dag_hash: 'e2e-hash' });
    const { body: wf } = await call(s, 'POST', '/workflow', { dag_id: dag.dag_id, workflow_args: 'a', workflow_hash: 'h', name: 'wf', user: 'alice' });
    expect(wf.workflow_dct.id).toBeGreaterThan(0);
    const job = (await call(s, 'POST', '/job', { dag_id: dag.dag_id, name: 'good', job_hash: 123, command: 'true' })).body.job_dct;
    expect((await call(s, 'POST', `/job/${job.job_id}/queue`, {})).status).toBe(200);
    const ji = (await call(s, 'POST', '/job_instance', { job_id: job.job_id, executor_type: 'SGEExecutor' })).body.job_instance_id;
    expect((await call(s, 'POST', `/job_instance/${ji}/log_executor_id`, { executor_id: '77' })).status).toBe(200);
    expect((await call(s, 'POST', `/job_instance/${ji}/log_running`, { nodename: 'n1', process_group_id: 9 })).status).toBe(200);
    expect((await call(s, 'POST', `/job_instance/${ji}/log_done`, {})).body).toEqual({ message: `${dag.dag_id} [${job.job_id}, "D"]` });
    const { body: jobs } = await call(s, 'GET', `/dag/${dag.dag_id}/job`);
    expect(jobs.job_dcts).toMatchObject([{ name: 'good', status: 'D', num_attempts: 1 }]);
    const health = await call(s, 'GET', '/health');
    expect(health.body).toMatchObject({ status: 'ok', monitor: { polls: expect.any(Number) } });
    expect(health.body.monitor.lastPollAt).not.toBeNull();
  });

  it('lets read_only read through the DB port and refuses its writes', async () => {
    const db = await createConnection({ host: '127.0.0.1', port: repo.releases.main.db, user: 'read_only', password: SENTINELS.JOBMON_PASS_READ_ONLY, database: 'docker' });
    try {
      const [rows] = await db.query('SELECT COUNT(*) AS n FROM task_dag');
      expect((rows as { n: number }[])[0]!.n).toBeGreaterThanOrEqual(1);
      await expect(db.query("INSERT INTO task_dag (name, user, dag_hash) VALUES ('x', 'y', 'z')")).rejects.toMatchObject({ code: 'ER_TABLEACCESS_DENIED_ERROR' });
      await expect(db.query('DELETE FROM task_dag')).rejects.toMatchObject({ code: 'ER_TABLEACCESS_DENIED_ERROR' });
    } finally {
      await db.end();
    }
  });

  it('writes the record: folder 0700, file 0600, status deployed, passwords, channels, ports', async () => {
    const [entry, ...more] = await records(deployments, '9.8.7');
    expect(more).toEqual([]);
    expect((await stat(path.join(deployments, '9.8.7'))).mode & 0o777).toBe(0o700);
    expect((await stat(entry!.file)).mode & 0o777).toBe(0o600);
    expect(entry!.record).toMatchObject({
      status: 'deployed',
      release: 'release-9.8.7',
      version: '9.8.7',
      commit: repo.commit,
      host: TEST_HOST,
      engine: 'unix:///var/run/docker.sock',
      project: 'jobmon987',
      ports: [
        { name: 'db', hostIp: '127.0.0.1', hostPort: repo.releases.main.db, containerPort: 3306 },
        { name: 'jsm-1', hostIp: '127.0.0.1', hostPort: repo.releases.main.service, containerPort: 80 },
      ],
      database: {
        name: 'docker',
        accounts: {
          root: SENTINELS.JOBMON_PASS_ROOT,
          table_creator: SENTINELS.JOBMON_PASS_TABLE_CREATOR,
          service_user: SENTINELS.JOBMON_PASS_SERVICE_USER,
          read_only: SENTINELS.JOBMON_PASS_READ_ONLY,
        },
      },
      slack: { token: 'set', wfChannel: 'jobmon-alerts', nodeChannel: 'suspicious_nodes' },
      volumeCreated: true,
    });
    expect(entry!.file).toBe(path.join(deployments, '9.8.7', `${entry!.record.deployedAt}.json`));
  });

  it('puts no secret on any container\'s command line or healthcheck, nor in its logs', async () => {
    for (const service of ['db', 'jobmon', 'monitor']) {
      const name = `jobmon987_${service}_1`;
      const info = await docker.getContainer(name).inspect();
      expectNoSentinel(JSON.stringify([info.Path, info.Args, info.Config.Cmd, info.Config.Entrypoint, info.Config.Healthcheck]));
      expectNoSentinel((await lastLogLines(docker, name, 100_000)).join('\n'));
    }
  });

  it('a concurrent deploy fails at once naming the lock\'s holder; the redeploy keeps the data and the passwords', async () => {
    const redeploy = startDeploy(args(repo.releases.main.tag, '--redeploy'), env());
    await waitForOutput(redeploy, 'deploy lock jobmon987_deploy_lock taken');
    const second = await runDeploy(args(repo.releases.main.tag, '--redeploy'), env());
    expect(second.exitCode).toBe(2);
    expect(errorLines(second)).toEqual([
      expect.stringMatching(/^error: another deploy of release-9\.8\.7 holds the lock on this engine: \S+@\S+ pid \d+, for \d+ s; wait for it to finish, or if that deploy died, run again with --break-lock$/),
    ]);
    const done = await redeploy;
    expect(done.exitCode, String(done.stderr)).toBe(0);
    expect(String(done.stdout)).toMatch(/volume jobmon987_db_data exists: reusing the DB passwords of /);
    expect(String(done.stdout)).toContain('replaced the old one (kept stopped until this deploy succeeds), started');
    expectNoSentinel(`${done.stdout}\n${done.stderr}\n${second.stdout}\n${second.stderr}`);
    const { body } = await call({ url: serviceUrl() }, 'GET', '/health');
    expect(body.status).toBe('ok');
    const db = await createConnection({ host: '127.0.0.1', port: repo.releases.main.db, user: 'read_only', password: SENTINELS.JOBMON_PASS_READ_ONLY, database: 'docker' });
    const [rows] = await db.query("SELECT name FROM task_dag WHERE dag_hash = 'e2e-hash'");
    await db.end();
    expect(rows).toEqual([{ name: 'e2e' }]);
    const all = await records(deployments, '9.8.7');
    expect(all.map((r) => r.record.status)).toEqual(['deployed', 'deployed']);
    expect(all[1]!.record).toMatchObject({ redeploy: true, passwordsFrom: all[0]!.file, volumeCreated: false });
  }, 300_000);
});

/** Waits until `check` is truthy (every 250 ms), or fails naming `what`. */
async function eventually<T>(check: () => Promise<T>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const containerStates = async (project: string) =>
  (await docker.listContainers({ all: true, filters: { name: [`${project}_`] } })).map((c) => `${c.Names[0]!.slice(1)} ${c.State}`).sort();

describe('redeploy safety on the shared release-9.8.7', () => {
  const main = () => repo.releases.main;

  it('a second deploy without --redeploy: exit 2 naming the running containers and the flag, nothing touched', async () => {
    const before = await containerStates(main().project);
    const result = await runDeploy(args(main().tag), env());
    expect(result.exitCode).toBe(2);
    expect(errorLines(result)).toEqual([
      'error: release-9.8.7 is already deployed on unix:///var/run/docker.sock (jobmon987_db_1, jobmon987_jobmon_1, jobmon987_monitor_1); pass --redeploy to replace its containers, keeping its data',
    ]);
    expect(await containerStates(main().project)).toEqual(before);
  });

  it('a redeploy that fails puts the previous containers back and running: exit 1, the data still served', async () => {
    const before = await docker.getContainer(`${main().project}_db_1`).inspect();
    const result = await runDeploy(args(main().tag, '--redeploy', '--timeout', '5', '--db-option=--skip-networking'), env());
    expect(result.exitCode, result.stderr).toBe(1);
    expect(errorLines(result)).toEqual([
      expect.stringMatching(
        /^error: \[ 6\/12\] wait: DB accepting connections \(jobmon987_db_1\), up to 5 s failed: .*; removed what it created \(jobmon987_db_1\); restarted the previous jobmon987_db_1; record \S+\.json$/,
      ),
    ]);
    expectNoSentinel(`${result.stdout}\n${result.stderr}`);
    // The very container that ran before, under its own name again; nothing parked is left.
    const after = await docker.getContainer(`${main().project}_db_1`).inspect();
    expect(after.Id).toBe(before.Id);
    expect(await containerStates(main().project)).toEqual(['jobmon987_db_1 running', 'jobmon987_jobmon_1 running', 'jobmon987_monitor_1 running']);
    // The service reconnects to the restarted DB and still has the data written before.
    await eventually(async () => (await call({ url: serviceUrl() }, 'GET', '/health')).body?.status === 'ok', 'the service healthy again');
    const db = await createConnection({ host: '127.0.0.1', port: main().db, user: 'read_only', password: SENTINELS.JOBMON_PASS_READ_ONLY, database: 'docker' });
    const [rows] = await db.query("SELECT name FROM task_dag WHERE dag_hash = 'e2e-hash'");
    await db.end();
    expect(rows).toEqual([{ name: 'e2e' }]);
    const [entry] = (await records(deployments, main().version)).slice(-1);
    expect(entry!.record).toMatchObject({ status: 'rolled-back', redeploy: true, volumeCreated: false });
  }, 300_000);

  it('a lock a dead deploy left: refused naming its holder, then broken with --break-lock and the redeploy goes through', async () => {
    await acquireLock(docker, main().project, main().tag, { [TEST_LABEL]: '1' }); // never released: its holder "died"
    const refused = await runDeploy(args(main().tag, '--redeploy'), env());
    expect(refused.exitCode).toBe(2);
    expect(errorLines(refused)).toEqual([expect.stringMatching(/^error: another deploy of release-9\.8\.7 holds the lock on this engine: .+ pid \d+, for \d+ s; wait for it to finish, or if that deploy died, run again with --break-lock$/)]);
    const broken = await runDeploy(args(main().tag, '--redeploy', '--break-lock'), env());
    expect(broken.exitCode, broken.stderr).toBe(0);
    expect(broken.stderr).toMatch(/^broke the deploy lock of release-9\.8\.7 held by .+ pid \d+ for \d+ s$/m);
    expect(await containerStates(main().project)).toEqual(['jobmon987_db_1 running', 'jobmon987_jobmon_1 running', 'jobmon987_monitor_1 running']);
    expect((await call({ url: serviceUrl() }, 'GET', '/health')).body.status).toBe('ok');
  }, 300_000);
});

describe('deploy failures: one error line, the right exit code, nothing left behind', () => {
  const spare = () => repo.releases.spare;
  const nothingLeft = async () => expect(await leftovers(docker, spare().project)).toEqual([]);

  it('a port some process holds: exit 2 naming the port and the process, before any change', async () => {
    const net = await import('node:net');
    const server = net.createServer().listen(spare().service, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const result = await runDeploy(args(spare().tag), env());
      expect(result.exitCode).toBe(2);
      expect(errorLines(result)).toEqual([
        expect.stringMatching(new RegExp(`^error: port ${spare().service} \\(jsm-1\\) on 127\\.0\\.0\\.1 is in use by .+ \\(pid ${process.pid}\\) \\(EADDRINUSE\\); stop that process, or register other ports for the release$`)),
      ]);
    } finally {
      server.close();
    }
    await nothingLeft();
    expect(await records(deployments, spare().version)).toEqual([]);
  });

  it('a port a container publishes: exit 2 naming the container', async () => {
    const port = `${spare().db}`;
    const holder = await docker.createContainer({
      name: `jobmon-ops-e2e-port-holder-${process.pid}`,
      Image: `jobmon-server:${repo.commit.slice(0, 12)}`,
      Entrypoint: ['sleep', '300'],
      Labels: { [TEST_LABEL]: '1' },
      ExposedPorts: { '3306/tcp': {} },
      HostConfig: { PortBindings: { '3306/tcp': [{ HostIp: '127.0.0.1', HostPort: port }] } },
    });
    try {
      await holder.start();
      const result = await runDeploy(args(spare().tag), env());
      expect(result.exitCode).toBe(2);
      expect(errorLines(result)).toEqual([
        `error: port ${port} (db) is already published by container jobmon-ops-e2e-port-holder-${process.pid} on unix:///var/run/docker.sock; stop that container, or register other ports for the release`,
      ]);
    } finally {
      await holder.remove({ force: true });
    }
    await nothingLeft();
  });

  it.each([
    ['an unknown tag', ['release-9.9.9'], {}, /^error: no tag release-9\.9\.9 in .+jobmon\.git; check the name \(git ls-remote --tags .+\), or tag and push the release first$/],
    ['a tag that is not a semver release', ['not-a-release'], {}, /^error: tag not-a-release in .+ is not a semver release; deploy takes tags such as release-0\.8\.7 \(or 0\.8\.7\)$/],
    ['an engine that does not answer', ['release-9.8.8'], { DOCKER_HOST: 'unix:///nonexistent.sock' }, /^error: the Docker engine at unix:\/\/\/nonexistent\.sock does not answer \(ENOENT\); start it/],
  ])('%s: exit 2', async (_title, ref, extra, message) => {
    const result = await runDeploy(args(ref[0]!), env(extra));
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(message)]);
    await nothingLeft();
  });
  it('Ctrl-C while preflight waits on a silent git remote: exit 130 at once, nothing changed', async () => {
    const net = await import('node:net');
    const sockets: import('node:net').Socket[] = [];
    const server = net.createServer((socket) => sockets.push(socket)).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as { port: number };
    try {
      const connected = new Promise((resolve) => server.once('connection', resolve));
      const argv = args(spare().tag).map((a) => (a === repo.bare ? `git://127.0.0.1:${port}/jobmon.git` : a));
      const child = startDeploy(argv, env());
      await connected;
      child.kill('SIGINT');
      const result = await child;
      expect(result.exitCode).toBe(130);
      expect(String(result.stderr).trim().split('\n').at(-1)).toBe('error: interrupted during git ls-remote; nothing half-made was kept');
    } finally {
      for (const socket of sockets) socket.destroy();
      server.close();
    }
    await nothingLeft();
    expect(await records(deployments, spare().version)).toEqual([]);
  });
});

describe('deploy failures at run time: rollback of a first deploy leaves nothing', () => {
  const spare = () => repo.releases.spare;

  it('a DB that never gets healthy: exit 1, the failing step, its container\'s log tail, everything removed', async () => {
    // mariadbd without networking: it starts, but the healthcheck's TCP ping never answers.
    const result = await runDeploy(args(spare().tag, '--timeout', '5', '--db-option=--skip-networking'), env());
    expect(result.exitCode).toBe(1);
    const err = result.stderr.trim().split('\n');
    expect(err[0]).toMatch(/^last \d+ log lines of jobmon988_db_1:$/);
    expect(result.stderr).toContain('mariadbd: ready for connections');
    expect(err.at(-1)).toMatch(
      /^error: \[ 6\/12\] wait: DB accepting connections \(jobmon988_db_1\), up to 5 s failed: not healthy within 5 s \(health starting.*\); pass a larger --timeout if it was only slow; removed what it created \(jobmon988_db_1, jobmon988_default, jobmon988_db_data\); record \S+\.json$/,
    );
    expectNoSentinel(`${result.stdout}\n${result.stderr}`);
    expect(await leftovers(docker, spare().project)).toEqual([]);
    const [entry] = (await records(deployments, spare().version)).slice(-1);
    expect(entry!.record).toMatchObject({ status: 'rolled-back', volumeCreated: true, volumeRemoved: true, failure: { step: '[ 6/12] wait: DB accepting connections (jobmon988_db_1), up to 5 s' } });
  }, 120_000);

  it('Ctrl-C at the web step: exit 130, everything this run created removed', async () => {
    const child = startDeploy(args(spare().tag), env());
    await waitForOutput(child, 'start jobmon988_jobmon_1');
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(String(result.stderr).trim().split('\n').at(-1)).toMatch(
      /^error: interrupted at \[(9|10|11|12)\/12\] .+; removed what it created \(jobmon988_db_1, .*jobmon988_default, jobmon988_db_data\); record \S+\.json$/,
    );
    expect(await leftovers(docker, spare().project)).toEqual([]);
    const [entry] = (await records(deployments, spare().version)).slice(-1);
    expect(entry!.record).toMatchObject({ status: 'rolled-back', volumeRemoved: true, failure: { message: 'interrupted' } });
  }, 120_000);

  it('asks on a terminal: the token is never echoed, Enter takes the default channels', async () => {
    const { spawn } = await import('@lydell/node-pty');
    const token = 'SENTINEL-typed-xoxb-9e2f';
    const { JOBMON_SLACK_TOKEN: _, ...withoutToken } = env();
    const argv = args(spare().tag, '--timeout', '5', '--db-option=--skip-networking').filter((a) => a !== '--yes');
    const pty = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/jobmon-ops.js'), ...argv], {
      cols: 200, rows: 50, cwd: REPO_ROOT, env: { ...process.env, ...withoutToken, CI: '' } as Record<string, string>,
    });
    let screen = '';
    const answered = new Set<string>();
    const exit = new Promise<number>((resolve) => pty.onExit(({ exitCode }) => resolve(exitCode)));
    pty.onData((data) => {
      screen += data;
      const answer = (prompt: string, text: string) => {
        if (screen.includes(prompt) && !answered.has(prompt)) {
          answered.add(prompt);
          pty.write(text);
        }
      };
      answer('Slack bot token', `${token}\r`);
      answer('lost workflow runs', '\r');
      answer('failing nodes', '\r');
    });
    const code = await exit;
    expect([...answered], screen).toEqual(['Slack bot token', 'lost workflow runs', 'failing nodes']);
    expect(code, screen).toBe(1);
    expect(screen).not.toContain(token);
    expect(screen).toContain('jobmon-alerts');
    expectNoSentinel(screen);
    const [entry] = (await records(deployments, spare().version)).slice(-1);
    expect(entry!.record.slack).toEqual({ token: 'set', wfChannel: 'jobmon-alerts', nodeChannel: 'suspicious_nodes' });
    expect(await leftovers(docker, spare().project)).toEqual([]);
  }, 120_000);
});

describe('a DB volume no record holds the passwords of', () => {
  const spare = () => repo.releases.spare;
  const volume = () => `${spare().project}_db_data`;

  afterAll(() => removeProject(docker, spare().project), 120_000);

  it('is refused with the fix; --purge-data deletes it and deploys afresh', async () => {
    await removeProject(docker, spare().project);
    await docker.createVolume({ Name: volume(), Labels: { [TEST_LABEL]: '1', 'org.jobmon-ops.e2e-marker': 'orphan' } });
    const refused = await runDeploy(args(spare().tag), env({ JOBMON_DEPLOYMENTS_DIR: path.join(deployments, 'no-records') }));
    expect(refused.exitCode).toBe(2);
    expect(errorLines(refused)).toEqual([
      expect.stringMatching(/^error: the volume jobmon988_db_data exists but no deployment record of 9\.8\.8 in \S+no-records holds its passwords; restore the record there, or pass --purge-data to delete the volume and its data$/),
    ]);
    expect((await docker.getVolume(volume()).inspect()).Labels).toMatchObject({ 'org.jobmon-ops.e2e-marker': 'orphan' });

    const purged = await runDeploy(args(spare().tag, '--purge-data'), env({ JOBMON_DEPLOYMENTS_DIR: path.join(deployments, 'no-records') }));
    expect(purged.exitCode, purged.stderr).toBe(0);
    expect(purged.stdout).toMatch(/purge: remove jobmon988's containers and volume jobmon988_db_data/);
    // A new volume (without the orphan's marker) and a running stack on it.
    expect((await docker.getVolume(volume()).inspect()).Labels?.['org.jobmon-ops.e2e-marker']).toBeUndefined();
    expect(await containerStates(spare().project)).toEqual(['jobmon988_db_1 running', 'jobmon988_jobmon_1 running', 'jobmon988_monitor_1 running']);
    const { body } = await call({ url: `http://127.0.0.1:${spare().service}` }, 'GET', '/health');
    expect(body.status).toBe('ok');
  }, 300_000);
});
