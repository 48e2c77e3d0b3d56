import type Docker from 'dockerode';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { acquireLock } from '../../src/deploy/lock.js';
import { BIN, makeTempDir, REPO_ROOT, runCli, type CliResult } from '../helpers/cli.js';
import { TEST_LABEL, testEngine, waitHealthy } from '../helpers/docker.js';
import { records, sentinelValues, SENTINELS } from '../deploy/e2e-helpers.js';
import { makeOpsStack, type OpsStack } from './ops-stack.js';

/**
 * status, creds, logs, start/stop/restart and undeploy against the real
 * engine, on one deployed stack (release-9.8.9) shared by the whole file,
 * in this order: read-only commands first, then the ones that change it.
 */

let docker: Docker;
let stack: OpsStack;
let deployed: CliResult;
/** Every output of the suite's commands, except `creds --show`: no password may appear in it. */
const outputs: string[] = [];

const ops = async (...args: string[]): Promise<CliResult> => {
  const result = await runCli(['--registry', stack.registry, ...args], { env: stack.env, timeoutMs: 300_000 });
  if (!args.includes('--show')) outputs.push(result.stdout, result.stderr);
  return result;
};
const service = () => `http://127.0.0.1:${stack.release.service}`;
const container = (svc: string) => docker.getContainer(`${stack.release.project}_${svc}_1`);
const inspect = (svc: string) => container(svc).inspect();

/** A row written through the service (a task_dag), found again by its hash. */
const DAG_HASH = `ops-e2e-${process.pid}-${Date.now()}`;
async function dagIds(): Promise<number[]> {
  const response = await fetch(`${service()}/dag?dag_hash=${DAG_HASH}`);
  return ((await response.json()) as { dag_ids: number[] }).dag_ids;
}

beforeAll(async () => {
  ({ docker } = testEngine());
  stack = await makeOpsStack(docker);
  deployed = await stack.deploy();
  // Deploy's web gate is GET /health; Docker's own check may pass a few seconds later.
  if (deployed.exitCode === 0) for (const s of ['db', 'jobmon']) await waitHealthy(container(s), 60_000);
}, 1_500_000);

afterAll(async () => {
  await stack?.cleanup();
}, 120_000);

describe('a deployed release', () => {
  it('deploys (the suite\'s stack)', () => {
    expect(deployed.exitCode, `${deployed.stdout}\n${deployed.stderr}`).toBe(0);
  });

  it('status lists the release with its three containers, health, uptime and ports', async () => {
    const { stdout, exitCode } = await ops('status');
    expect(exitCode).toBe(0);
    const { db, service: web, project } = stack.release;
    expect(stdout).toContain(`release-9.8.9 (e2e.ops) on local, project ${project}: running`);
    expect(stdout).toMatch(new RegExp(`^  db +${project}_db_1 +running +healthy +up \\d+ (seconds?|minutes?) +127\\.0\\.0\\.1:${db}->3306 +jobmon-mariadb:\\w{12} +9\\.8\\.9$`, 'm'));
    expect(stdout).toMatch(new RegExp(`^  jobmon +${project}_jobmon_1 +running +healthy +up .* 127\\.0\\.0\\.1:${web}->80 +jobmon-server:\\w{12} +9\\.8\\.9$`, 'm'));
    expect(stdout).toMatch(new RegExp(`^  monitor +${project}_monitor_1 +running +- +up .* +- +jobmon-server:\\w{12} +9\\.8\\.9$`, 'm'));
    expect(stdout).toMatch(/^ {2}monitor last poll: \d{4}-\d\d-\d\dT[\d:]+Z \(\d+ \w+ ago\)$/m);
  });

  it('status --json, by port, has the same facts as data', async () => {
    const { stdout, exitCode } = await ops('ps', String(stack.release.db), '--json');
    expect(exitCode).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.stacks).toHaveLength(1);
    const [one] = report.stacks;
    expect(one).toMatchObject({ release: { name: 'release-9.8.9', label: 'e2e.ops', host: 'local', version: '9.8.9', project: 'jobmon989' }, state: 'running', missing: [] });
    expect(one.containers.map((c: { service: string }) => c.service)).toEqual(['db', 'jobmon', 'monitor']);
    expect(one.containers[1]).toMatchObject({ state: 'running', health: 'healthy', version: '9.8.9', ports: [{ hostIp: '127.0.0.1', hostPort: stack.release.service, containerPort: 80 }] });
    expect(one.containers[1].uptime).toMatch(/^up /);
    expect(one.monitor.lastPollAt).toMatch(/Z$/);
    expect(report.unregistered).toEqual([]);
  });

  it('creds masks the passwords unless --show, with a ready connection string per account', async () => {
    const masked = await ops('creds', 'e2e.ops');
    expect(masked.exitCode).toBe(0);
    const { file } = (await records(stack.deployments, '9.8.9'))[0]!;
    expect(masked.stdout).toContain(`from the deployment record ${file}`);
    for (const user of ['root', 'table_creator', 'service_user', 'read_only']) {
      expect(masked.stdout).toContain(`mysql://${user}:****@127.0.0.1:${stack.release.db}/docker`);
    }
    const shown = await ops('creds', 'release-9.8.9', '--user', 'read_only', '--show', '--json');
    expect(JSON.parse(shown.stdout)).toMatchObject({
      source: 'record', masked: false,
      accounts: [{ user: 'read_only', password: SENTINELS.JOBMON_PASS_READ_ONLY, url: `mysql://read_only:${SENTINELS.JOBMON_PASS_READ_ONLY}@127.0.0.1:${stack.release.db}/docker` }],
    });
    const json = JSON.parse((await ops('creds', '9.8.9', '--json')).stdout);
    expect(json.accounts.every((a: object) => !('password' in a))).toBe(true);
  });

  it('creds without a record reads the containers\' configuration and says so', async () => {
    const result = await runCli(['--registry', stack.registry, 'creds', 'jobmon989'], { env: { ...stack.env, JOBMON_DEPLOYMENTS_DIR: '/nonexistent/deployments' } });
    outputs.push(result.stdout, result.stderr);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(/^note: no deployment record of 9\.8\.9 in \/nonexistent\/deployments; read from the containers' configuration/);
    expect(result.stdout).toContain('from the containers\' configuration');
    expect(result.stdout).toContain(`mysql://service_user:****@127.0.0.1:${stack.release.db}/docker`);
  });

  it('logs --tail 5 prints at most 5 lines of each service, prefixed by service', async () => {
    const { stdout, stderr, exitCode } = await ops('logs', 'release-9.8.9', '--tail', '5');
    expect(exitCode).toBe(0);
    const lines = `${stdout}\n${stderr}`.split('\n').filter((l) => l !== '');
    for (const svc of ['db', 'jobmon', 'monitor']) {
      const count = lines.filter((l) => l.startsWith(`${svc} | `)).length;
      expect(count, svc).toBeGreaterThan(0);
      expect(count, svc).toBeLessThanOrEqual(5);
    }
    expect(lines.every((l) => /^(db|jobmon|monitor) \| /.test(l))).toBe(true);
    const one = await ops('logs', 'release-9.8.9', 'monitor', '-n', '2', '-t');
    expect(one.stdout.split('\n').length).toBeLessThanOrEqual(2);
    expect(one.stdout).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z \{/);
  });

  it('logs --follow shows a line written after it started; Ctrl-C ends it with 130', async () => {
    const marker = `ops-follow-${Date.now()}`;
    const child = execa(process.execPath, [BIN, '--registry', stack.registry, 'logs', 'e2e.ops', '-f', '-n', '0'], { cwd: REPO_ROOT, env: stack.env, reject: false, stdin: 'ignore', timeout: 60_000 });
    let seen = '';
    child.stdout.on('data', (chunk: Buffer) => (seen += chunk.toString()));
    const deadline = Date.now() + 30_000;
    while (!seen.includes(marker) && Date.now() < deadline) {
      await fetch(`${service()}/${marker}`).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 500));
    }
    child.kill('SIGINT');
    const result = await child;
    outputs.push(seen, String(result.stderr));
    expect(seen).toMatch(new RegExp(`^jobmon \\| .*"url":"/${marker}"`, 'm'));
    expect(result.exitCode).toBe(130);
  });

  it('logs --since leaves out what came before, by time and by duration', async () => {
    const marker = `ops-since-${Date.now()}`;
    await fetch(`${service()}/${marker}`).catch(() => undefined);
    const logged = async (...args: string[]) => (await ops('logs', 'e2e.ops', 'jobmon', ...args)).stdout.includes(`"url":"/${marker}"`);
    expect(await logged('--since', '10m')).toBe(true);
    // The engine compares whole seconds: a moment 2 s after the request leaves it out.
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const after = new Date(Date.now() - 1_000).toISOString();
    expect(await logged('--since', after)).toBe(false);
    expect(await logged('--since', '1s')).toBe(false);
    expect(await logged('--since', String(Math.floor(Date.now() / 1000) - 600))).toBe(true);
  });

  it('status lists a Jobmon-looking container that no release registers, apart from the stacks', async () => {
    const stray = await docker.createContainer({
      name: `jobmon9990_jobmon_1`,
      Image: (await inspect('jobmon')).Config.Image,
      Entrypoint: ['sleep', '300'],
      Labels: { [TEST_LABEL]: '1' },
    });
    try {
      await stray.start();
      const result = await ops('status', '--host', 'local');
      expect(result.exitCode).toBe(0);
      // Other Jobmon stacks may run on this engine too: look for ours in that list, not for it alone.
      const [, list = ''] = /^Jobmon-looking containers of no registered release:\n((?: {2}.*\n?)*)/m.exec(result.stdout) ?? [];
      expect(list).toMatch(/^ {2}jobmon9990_jobmon_1 +jobmon9990 +running /m);
      expect(result.stdout).toContain('release-9.8.9 (e2e.ops) on local, project jobmon989: running');
    } finally {
      await stray.remove({ force: true });
    }
  });

  it('writes a row through the service (read again after the restarts and the redeploy)', async () => {
    const response = await fetch(`${service()}/task_dag`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'ops-e2e', user: 'ops', dag_hash: DAG_HASH }) });
    expect(response.status).toBe(200);
    expect(await dagIds()).toHaveLength(1);
  });
});

describe('start, stop, restart', () => {
  it('restart: every container starts again, in order, and health comes back', async () => {
    const before = await Promise.all(['db', 'jobmon', 'monitor'].map(async (s) => (await inspect(s)).State.StartedAt));
    const result = await ops('restart', '9.8.9', '--timeout', '120');
    expect(result.exitCode, result.stderr).toBe(0);
    const steps = result.stdout.split('\n').filter((l) => /^(stop|start) /.test(l)).map((l) => l.split(' (')[0]);
    expect(steps).toEqual(['stop monitor', 'stop jobmon', 'stop db', 'start db', 'start jobmon', 'start monitor']);
    expect(result.stdout).toMatch(/release-9\.8\.9 restarted$/m);
    const after = await Promise.all(['db', 'jobmon', 'monitor'].map((s) => inspect(s)));
    after.forEach((info, i) => expect(info.State.StartedAt).not.toBe(before[i]));
    expect(after[0]!.State.Health?.Status).toBe('healthy');
    expect(after[1]!.State.Health?.Status).toBe('healthy');
    expect(await dagIds()).toHaveLength(1);
  });

  it('restart of one service touches only it', async () => {
    const dbBefore = (await inspect('db')).State.StartedAt;
    const webBefore = (await inspect('jobmon')).State.StartedAt;
    const result = await ops('restart', 'e2e.ops', 'jobmon');
    expect(result.exitCode, result.stderr).toBe(0);
    expect((await inspect('db')).State.StartedAt).toBe(dbBefore);
    expect((await inspect('jobmon')).State.StartedAt).not.toBe(webBefore);
    expect((await inspect('jobmon')).State.Health?.Status).toBe('healthy');
  });

  it('stop, then start', async () => {
    const stopped = await ops('stop', 'jobmon989');
    expect(stopped.exitCode, stopped.stderr).toBe(0);
    for (const s of ['db', 'jobmon', 'monitor']) expect((await inspect(s)).State.Running, s).toBe(false);
    expect(JSON.parse((await ops('status', '9.8.9', '--json')).stdout).stacks[0].state).toBe('stopped');
    const again = await ops('stop', 'jobmon989');
    expect(again.stdout).toMatch(/^stop monitor \(jobmon989_monitor_1\): already exited$/m);
    const started = await ops('start', 'jobmon989');
    expect(started.exitCode, started.stderr).toBe(0);
    for (const s of ['db', 'jobmon', 'monitor']) expect((await inspect(s)).State.Running, s).toBe(true);
    expect((await fetch(`${service()}/`)).status).toBe(200);
    expect(JSON.parse((await ops('status', '9.8.9', '--json')).stdout).stacks[0].state).toBe('running');
  });
});

describe('every command that changes the stack respects the deploy lock', () => {
  it.each([
    ['undeploy', '--purge-data', '--yes'],
    ['start'],
    ['stop'],
    ['restart'],
    ['restore', 'DUMP', '--yes', '--force'],
  ])('%s under a running deploy: refused naming the holder (exit 2), nothing touched', async (command, ...rest) => {
    const { dir, cleanup } = await makeTempDir('jobmon-ops-ops-lock-');
    const dump = path.join(dir, 'dump.sql');
    await writeFile(dump, '-- MariaDB dump 10.19\nSELECT 1;\n-- Dump completed on 2026-12-03 18:00:00\n');
    const started = await Promise.all(['db', 'jobmon', 'monitor'].map(async (s) => (await inspect(s)).State.StartedAt));
    const lock = await acquireLock(docker, stack.release.project, stack.release.tag, { [TEST_LABEL]: '1' });
    try {
      const result = await ops(command!, 'release-9.8.9', ...rest.map((a) => (a === 'DUMP' ? dump : a)));
      expect(result.exitCode, result.stderr).toBe(2);
      expect(result.stderr.trim().split('\n').at(-1)).toMatch(
        /^error: a deploy of release-9\.8\.9 holds the lock on this engine: \S+ pid \d+, for \d+ s; wait for it to finish, or if that deploy died, break the lock with jobmon-ops deploy release-9\.8\.9 --redeploy --break-lock$/,
      );
    } finally {
      await lock.release();
      await cleanup();
    }
    expect(await Promise.all(['db', 'jobmon', 'monitor'].map(async (s) => (await inspect(s)).State.StartedAt))).toEqual(started);
    await docker.getVolume('jobmon989_db_data').inspect();
    expect(await dagIds()).toHaveLength(1);
  });
});

describe('a container removed by hand, and undeploy', () => {
  it('status shows the stack as degraded, naming the missing container; start fails naming the fix', async () => {
    await container('monitor').remove({ force: true });
    const result = await ops('status', 'e2e.ops');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('release-9.8.9 (e2e.ops) on local, project jobmon989: degraded');
    expect(result.stdout).toMatch(/^ {2}monitor +- +missing/m);
    expect(result.stdout).toContain('jobmon-ops deploy release-9.8.9 --redeploy recreates the stack');
    const start = await ops('start', 'e2e.ops');
    expect(start.exitCode).toBe(1);
    expect(start.stderr).toMatch(/^error: release-9\.8\.9: monitor missing, the rest started; jobmon-ops deploy release-9\.8\.9 --redeploy/m);
  });

  it('--purge-data with no terminal and no --yes refuses (exit 2) and changes nothing', async () => {
    const result = await ops('undeploy', 'e2e.ops', '--purge-data');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`to keep a copy first: jobmon-ops dump --port ${stack.release.db}`);
    expect(result.stderr).toMatch(/^error: --purge-data deletes the data of release-9\.8\.9 and there is no terminal to confirm on; pass --yes/m);
    expect((await inspect('db')).State.Running).toBe(true);
  });

  it('--purge-data on a terminal asks first; No changes nothing (exit 1)', async () => {
    const { spawn } = await import('@lydell/node-pty');
    const pty = spawn(process.execPath, [BIN, '--registry', stack.registry, 'undeploy', 'e2e.ops', '--purge-data'], {
      cols: 200, rows: 40, cwd: REPO_ROOT, env: { ...process.env, ...stack.env, CI: '' } as Record<string, string>,
    });
    let screen = '';
    let answered = false;
    const exit = new Promise<number>((resolve) => pty.onExit(({ exitCode }) => resolve(exitCode)));
    pty.onData((data) => {
      screen += data;
      if (!answered && screen.includes('Delete jobmon989_db_data and all data of release-9.8.9')) {
        answered = true;
        pty.write('n\r');
      }
    });
    const code = await exit;
    outputs.push(screen);
    expect(answered, screen).toBe(true);
    expect(code, screen).toBe(1);
    expect(screen).toContain('not confirmed; nothing was changed');
    expect((await inspect('db')).State.Running).toBe(true);
    await docker.getVolume('jobmon989_db_data').inspect();
  }, 60_000);

  it('undeploy removes containers and network and keeps the volume; a later deploy finds the old data', async () => {
    const result = await ops('undeploy', 'release-9.8.9');
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^undeployed release-9\.8\.9 from unix:\/\/\/var\/run\/docker\.sock: 2 container\(s\) and network jobmon989_default removed; volume jobmon989_db_data kept/m);
    expect(await docker.listContainers({ all: true, filters: { label: ['com.docker.compose.project=jobmon989'] } })).toEqual([]);
    expect((await docker.listNetworks({ filters: { name: ['jobmon989_default'] } })).length).toBe(0);
    await docker.getVolume('jobmon989_db_data').inspect();
    expect((await records(stack.deployments, '9.8.9')).at(-1)?.record).toMatchObject({ status: 'undeployed', undeployedAt: expect.any(String) });
    const status = await ops('status', '--host', 'local');
    expect(status.stdout).toMatch(/^registered, not running: .*release-9\.8\.9 \(e2e\.ops\) on local/m);
    expect((await ops('status', 'e2e.ops')).stdout).toMatch(/^no registered Jobmon stack on .*\nregistered, not running: release-9\.8\.9 \(e2e\.ops\) on local$/m);
    const again = await stack.deploy();
    expect(again.exitCode, again.stderr).toBe(0);
    expect(await dagIds()).toHaveLength(1);
  }, 600_000); // a whole deploy inside

  it('undeploy --purge-data --yes removes the volume too', async () => {
    const result = await ops('undeploy', 'jobmon989', '--purge-data', '--yes');
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/volume jobmon989_db_data and its data deleted$/m);
    await expect(docker.getVolume('jobmon989_db_data').inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect((await records(stack.deployments, '9.8.9')).at(-1)?.record).toMatchObject({ status: 'undeployed', volumeRemoved: true });
    const nothing = await ops('undeploy', 'jobmon989');
    expect(nothing.exitCode).toBe(0);
    expect(nothing.stdout).toMatch(/nothing to remove/);
  });

  it('no output of the suite carried a password (only creds --show prints them)', () => {
    const all = outputs.join('\n');
    for (const value of sentinelValues) expect(all).not.toContain(value);
  });
});
