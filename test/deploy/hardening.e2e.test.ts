import { writeFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { createConnection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeReleaseStack, type OpsStack } from '../commands/ops-stack.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { testEngine } from '../helpers/docker.js';
import { call } from '../helpers/server.js';
import { runDeploy, SENTINELS } from './e2e-helpers.js';
import { TEST_HOST } from './e2e-repo.js';
import { execIn as execInEngine, loginFromAnotherNetwork } from './hardening-helpers.js';

/**
 * Hardening for real (issue items 8 and 9): release-9.8.3 deployed on the
 * local engine with an operator configuration that sets the web service's
 * limits; what the engine and the kernel hold for each container is read
 * back, the stack still serves a job lifecycle, and the privileged DB
 * accounts log in from the DB container only. The ports are bound to the
 * default bridge's gateway (docker0), a host address that a container on
 * another network can reach too, as another machine would.
 */

const MIB = 1024 * 1024;
let docker: Docker;
let stack: OpsStack;
let deployed: CliResult;
let bridge: string;
let cliEnv: Record<string, string>;

const container = (service: string) => `${stack.release.project}_${service}_1`;
const execIn = (name: string, cmd: string[], user?: string) => execInEngine(docker, name, cmd, user);
const fromAnotherNetwork = async (user: string, password: string) => {
  // The client of the release's own DB image.
  const image = (await docker.getContainer(container('db')).inspect()).Config.Image;
  return loginFromAnotherNetwork(docker, { image, dir: path.dirname(stack.registry), host: bridge, port: stack.release.db }, user, password);
};

beforeAll(async () => {
  ({ docker } = testEngine());
  stack = await makeReleaseStack(docker, { version: '9.8.3', label: 'e2e.hard', offset: 6300 });
  bridge = networkInterfaces().docker0?.find((a) => a.family === 'IPv4')?.address ?? '172.17.0.1';
  const config = path.join(path.dirname(stack.registry), 'config.json');
  await writeFile(config, JSON.stringify({ limits: { jobmon: { memory: '384m', pids: 200 } }, hosts: { [TEST_HOST]: { address: bridge } } }));
  cliEnv = { ...stack.env, JOBMON_OPS_CONFIG: config };
  deployed = await runDeploy(stack.deployArgs('--bind', bridge), cliEnv, 1_500_000);
}, 1_600_000);

afterAll(async () => stack?.cleanup(), 120_000);

describe('a hardened stack (release-9.8.3)', () => {
  it('deploys', () => {
    expect(deployed.stderr, deployed.stdout).toBe('');
    expect(deployed.exitCode).toBe(0);
  });

  it('runs every container with no-new-privileges, every capability dropped but the DB entry point\'s three, and the limits', async () => {
    const host = async (service: string) => (await docker.getContainer(container(service)).inspect()).HostConfig;
    const hardened = { SecurityOpt: ['no-new-privileges'], CapDrop: ['ALL'] };
    expect(await host('db')).toMatchObject({ ...hardened, CapAdd: ['CHOWN', 'SETGID', 'SETUID'], ReadonlyRootfs: false, Memory: 2048 * MIB, PidsLimit: 1024 });
    // The operator's configuration reached the web service; the monitor kept the defaults.
    expect(await host('jobmon')).toMatchObject({ ...hardened, CapAdd: [], ReadonlyRootfs: true, Memory: 384 * MIB, MemorySwap: 384 * MIB, PidsLimit: 200 });
    expect(await host('monitor')).toMatchObject({ ...hardened, CapAdd: [], ReadonlyRootfs: true, Memory: 512 * MIB, PidsLimit: 128 });
  });

  it('the kernel holds it: no capability and no new privileges in any process 1, the limits in the cgroup', async () => {
    for (const service of ['db', 'jobmon', 'monitor']) {
      const { output } = await execIn(container(service), ['cat', '/proc/1/status']);
      expect(output, service).toMatch(/^CapEff:\s+0{16}$/m);
      expect(output, service).toMatch(/^CapPrm:\s+0{16}$/m);
      expect(output, service).toMatch(/^NoNewPrivs:\s+1$/m);
    }
    // mariadbd itself runs as mysql: the entry point's root part ended with setpriv.
    expect((await execIn(container('db'), ['sh', '-c', 'ps -o user= -p 1 2>/dev/null || stat -c %U /proc/1'])).output.trim()).toBe('mysql');
    const cgroup = 'cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes; cat /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids/pids.max';
    expect((await execIn(container('jobmon'), ['sh', '-c', cgroup])).output.trim().split('\n')).toEqual([String(384 * MIB), '200']);
  });

  it('the web service and the monitor cannot write their root filesystem', async () => {
    for (const service of ['jobmon', 'monitor']) {
      const touched = await execIn(container(service), ['touch', '/x']);
      expect(touched.exitCode, service).not.toBe(0);
      expect(touched.output, service).toContain('Read-only file system');
    }
  });

  it('still serves a whole job lifecycle and reports the monitor polling', async () => {
    const s = { url: `http://${bridge}:${stack.release.service}` };
    const { body: dag } = await call(s, 'POST', '/task_dag', { name: 'hard', user: 'alice', dag_hash: 'hard-hash' });
    const { body: wf } = await call(s, 'POST', '/workflow', { dag_id: dag.dag_id, workflow_args: 'a', workflow_hash: 'h', name: 'wf', user: 'alice' });
    expect(wf.workflow_dct.id).toBeGreaterThan(0);
    const job = (await call(s, 'POST', '/job', { dag_id: dag.dag_id, name: 'good', job_hash: 123, command: 'true' })).body.job_dct;
    expect((await call(s, 'POST', `/job/${job.job_id}/queue`, {})).status).toBe(200);
    const ji = (await call(s, 'POST', '/job_instance', { job_id: job.job_id, executor_type: 'SGEExecutor' })).body.job_instance_id;
    expect((await call(s, 'POST', `/job_instance/${ji}/log_running`, { nodename: 'n1', process_group_id: 9 })).status).toBe(200);
    expect((await call(s, 'POST', `/job_instance/${ji}/log_done`, {})).body).toEqual({ message: `${dag.dag_id} [${job.job_id}, "D"]` });
    const { body: jobs } = await call(s, 'GET', `/dag/${dag.dag_id}/job`);
    expect(jobs.job_dcts).toMatchObject([{ name: 'good', status: 'D', num_attempts: 1 }]);
    expect((await call(s, 'GET', '/health')).body).toMatchObject({ status: 'ok', monitor: { polls: expect.any(Number) } });
  });
});

/** SQL as the DB container's socket account `mysql` (the OS user's own login: no password anywhere). */
const asSocketAdmin = (sql: string) => execIn(container('db'), ['mariadb', '--protocol=socket', '--user=mysql', '--batch', '--skip-column-names', '-e', sql], 'mysql');
const ACCOUNTS_SQL = "SELECT CONCAT(User, '@', Host) FROM mysql.user WHERE User IN ('root', 'table_creator', 'service_user', 'read_only') ORDER BY 1";
const CONFINED = ['read_only@%', 'root@127.0.0.1', 'root@localhost', 'service_user@%', 'table_creator@127.0.0.1', 'table_creator@localhost'];

describe('privileged DB accounts log in only from the DB container', () => {
  it('root and table_creator exist for localhost and 127.0.0.1 only; service_user and read_only for any host', async () => {
    expect((await asSocketAdmin(ACCOUNTS_SQL)).output.trim().split('\n')).toEqual(CONFINED);
  });

  it('from another network: root and table_creator are refused, read_only logs in', async () => {
    const root = await fromAnotherNetwork('root', SENTINELS.JOBMON_PASS_ROOT);
    expect(root.exitCode).not.toBe(0);
    expect(root.output).toMatch(/ERROR 1045 \(28000\): Access denied for user 'root'@'\d+\.\d+\.\d+\.\d+'/);
    const tc = await fromAnotherNetwork('table_creator', SENTINELS.JOBMON_PASS_TABLE_CREATOR);
    expect(tc.output).toMatch(/Access denied for user 'table_creator'@/);
    const ro = await fromAnotherNetwork('read_only', SENTINELS.JOBMON_PASS_READ_ONLY);
    expect(ro.exitCode, ro.output).toBe(0);
    expect(ro.output.trim()).toContain('read_only@%');
  });

  it('from the host through the published port: root is refused, read_only reads', async () => {
    const login = (user: string, password: string) => createConnection({ host: bridge, port: stack.release.db, user, password, database: 'docker' });
    await expect(login('root', SENTINELS.JOBMON_PASS_ROOT)).rejects.toMatchObject({ code: 'ER_ACCESS_DENIED_ERROR' });
    const ro = await login('read_only', SENTINELS.JOBMON_PASS_READ_ONLY);
    try {
      const [rows] = await ro.query("SELECT COUNT(*) AS n FROM task_dag WHERE name = 'hard'");
      expect(Number((rows as Array<{ n: number }>)[0]!.n)).toBe(1);
    } finally {
      await ro.end();
    }
  });

  it('restore from the host loads as root through the DB container: a row added after the dump is gone', async () => {
    const dir = path.dirname(stack.registry);
    const file = path.join(dir, 'hard-dump.sql');
    const cli = (...args: string[]) => runCli(['--registry', stack.registry, ...args], { env: cliEnv, timeoutMs: 120_000 });
    const dumped = await cli('dump', 'release-9.8.3', '--out', file);
    expect(dumped.exitCode, dumped.stderr).toBe(0);
    // root dumps only from inside the DB container.
    expect((await cli('dump', 'release-9.8.3', '--user', 'root', '--out', `${file}.root`)).stderr).toMatch(/Access denied for user 'root'@/);
    expect((await cli('dump', 'release-9.8.3', '--user', 'root', '--in-container', '--out', `${file}.inside`)).exitCode).toBe(0);
    await call({ url: `http://${bridge}:${stack.release.service}` }, 'POST', '/task_dag', { name: 'after-dump', user: 'alice', dag_hash: 'after' });
    const restored = await cli('restore', 'release-9.8.3', file, '--yes', '--force');
    expect(restored.exitCode, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(/^restored .* as root: /m);
    const ro = await createConnection({ host: bridge, port: stack.release.db, user: 'read_only', password: SENTINELS.JOBMON_PASS_READ_ONLY, database: 'docker' });
    try {
      const [rows] = await ro.query("SELECT SUM(name = 'hard') AS hard, SUM(name = 'after-dump') AS after FROM task_dag");
      expect(rows).toEqual([{ hard: '1', after: '0' }]);
    } finally {
      await ro.end();
    }
  });

  it("a redeploy over a volume from before this rule (root@'%', table_creator@'%') confines both again, and its initdb logs in", async () => {
    const old = "RENAME USER 'root'@'127.0.0.1' TO 'root'@'%'; RENAME USER 'table_creator'@'127.0.0.1' TO 'table_creator'@'%'; DROP USER 'table_creator'@'localhost'";
    expect((await asSocketAdmin(old)).exitCode).toBe(0);
    const redeployed = await runDeploy(stack.deployArgs('--bind', bridge, '--redeploy'), cliEnv, 600_000);
    expect(redeployed.exitCode, `${redeployed.stdout}\n${redeployed.stderr}`).toBe(0);
    expect((await asSocketAdmin(ACCOUNTS_SQL)).output.trim().split('\n')).toEqual(CONFINED);
    expect((await fromAnotherNetwork('root', SENTINELS.JOBMON_PASS_ROOT)).output).toMatch(/Access denied for user 'root'@/);
  }, 600_000);
});
