import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRegistryDir, makeTempDir, REPO_ROOT, runCli, type CliResult } from '../helpers/cli.js';
import { expectJsonOutput } from '../fixtures/json-schemas.js';

const SENTINEL = {
  JOBMON_PASS_ROOT: 'SENTINEL-s3cr3t-root-7f3a',
  JOBMON_PASS_TABLE_CREATOR: 'SENTINEL-s3cr3t-tc-19be',
  JOBMON_PASS_SERVICE_USER: 'SENTINEL-s3cr3t-su-c4d2',
  JOBMON_PASS_READ_ONLY: 'SENTINEL-s3cr3t-ro-08aa',
  JOBMON_SLACK_TOKEN: 'SENTINEL-s3cr3t-xoxb-5e61',
};

function expectNoSecret(result: CliResult): void {
  const all = `${result.stdout}\n${result.stderr}`;
  for (const value of Object.values(SENTINEL)) expect(all).not.toContain(value);
  expect(all).not.toContain('SENTINEL');
}

const oneErrorLine = (result: CliResult) => result.stderr.trim().split('\n');

describe('jobmon-ops deploy --dry-run', () => {
  it('prints the plan of release-0.8.7 bound to 127.0.0.1 and never a planted secret', async () => {
    const result = await runCli(['deploy', 'release-0.8.7', '--dry-run', '--bind', '127.0.0.1'], { env: SENTINEL });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expectNoSecret(result);
    const out = result.stdout;
    expect(out).toContain('deploy plan: release-0.8.7 (http.11) on jobmon-docker-cont-p01, compose project jobmon087');
    expect(out).toContain(' 1. image      jobmon-server:<commit> (server; reused when present, else built)');
    expect(out).toContain('      ports    127.0.0.1:3870 -> 3306/tcp (db)');
    expect(out).toContain('      ports    127.0.0.1:8756 -> 80/tcp (jsm-1)');
    expect(out).toContain('               DB_PASS=[REDACTED]');
    expect(out).toContain('               SLACK_TOKEN=[REDACTED]');
    expect(out).toContain('12. wait       monitor polling: jobmon087_monitor_1');
    expect(out.trim().split('\n').at(-1)).toBe('dry run: nothing was changed');
  });

  it('--json prints the plan as data, secrets redacted; flags reach it', async () => {
    const args = ['deploy', '0.8.7', '--dry-run', '--json', '--bind', '127.0.0.1', '--timeout', '45', '--redeploy', '--wf-channel', 'wf-x', '--commit', 'abcdef0123456789'];
    const result = await runCli(args, { env: SENTINEL });
    expect(result.exitCode).toBe(0);
    expectNoSecret(result);
    const plan = expectJsonOutput('deploy --dry-run', result.stdout);
    expect(plan).toMatchObject({ bindAddress: '127.0.0.1', timeoutSeconds: 45, redeploy: true, commit: 'abcdef0123456789' });
    expect(plan.images).toEqual({ server: 'jobmon-server:abcdef012345', db: 'jobmon-mariadb:abcdef012345' });
    const monitor = plan.steps[10].container;
    expect(monitor.env).toMatchObject({ DB_PASS: '[REDACTED]', SLACK_TOKEN: '[REDACTED]', WF_SLACK_CHANNEL: 'wf-x', NODE_SLACK_CHANNEL: 'suspicious_nodes' });
    expect(plan.steps[4].onExisting).toBe('replace');
  });

  it('takes the Slack token from a private file and refuses one others can read', async () => {
    const temp = await makeTempDir();
    try {
      const file = path.join(temp.dir, 'token');
      await writeFile(file, `${SENTINEL.JOBMON_SLACK_TOKEN}\n`);
      await chmod(file, 0o600);
      const ok = await runCli(['deploy', 'release-0.8.7', '--dry-run', '--slack-token-file', file]);
      expect(ok.exitCode).toBe(0);
      expect(ok.stdout).toContain('SLACK_TOKEN=[REDACTED]');
      expectNoSecret(ok);
      await chmod(file, 0o644);
      const open = await runCli(['deploy', 'release-0.8.7', '--dry-run', '--slack-token-file', file]);
      expect(open.exitCode).toBe(2);
      expect(oneErrorLine(open)).toEqual([`error: --slack-token-file ${file} is readable by others (mode 0644); run chmod 600 ${file}`]);
      expectNoSecret(open);
    } finally {
      await temp.cleanup();
    }
  });

  it('without a token, the monitor gets no SLACK_TOKEN (Slack off)', async () => {
    const result = await runCli(['deploy', 'release-0.8.7', '--dry-run'], { env: { JOBMON_SLACK_TOKEN: '' } });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).not.toContain('SLACK_TOKEN');
    expect(result.stdout).toContain('      ports    0.0.0.0:8756 -> 80/tcp (jsm-1)');
  });
});

describe('jobmon-ops deploy: bad references and usage (exit 2, one line)', () => {
  it('an unknown release names the nearest ones', async () => {
    const result = await runCli(['deploy', 'release-0.8.9', '--dry-run']);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
    expect(oneErrorLine(result)).toEqual([
      'error: no release "release-0.8.9" in the registry; did you mean release-0.8.7, release-0.8.6, release-0.8.5? see jobmon-ops ports list',
    ]);
  });

  it('an ambiguous port lists both releases', async () => {
    const result = await runCli(['deploy', '8356', '--dry-run']);
    expect(result.exitCode).toBe(2);
    expect(oneErrorLine(result)).toEqual([
      'error: "8356" is ambiguous: release-0.8.1 (http.5) on jobmon-p01 (jsm-1); release-0.8.2 (http.6) on jobmon-p01 (jsm-1); name the release by its tag, or pass --host',
    ]);
  });

  it.each([
    [['release-0.8.9', '--host', 'nowhere'], 'error: no host "nowhere" in the registry (known: jobmon-p01, jobmon-docker-cont-p01); pass one of those to --host'],
    [['release-0.8.9', '--host', 'jobmon-docker-cont-p01'], 'error: no release "release-0.8.9" on jobmon-docker-cont-p01 in the registry; did you mean release-0.8.7, release-0.8.6, release-0.8.5? see jobmon-ops ports list'],
    [['kelly-and-leo'], 'error: kelly-and-leo has no semver tag (release-X.Y.Z); deploy needs one such as release-0.8.7'],
    [['release-0.8.7', '--bind', 'localhost'], 'error: --bind localhost is not an IP address; pass one such as 127.0.0.1, or leave it out for all addresses'],
    [['release-0.8.7', '--host', 'jobmon-p01'], 'error: "release-0.8.7" is not registered on jobmon-p01, only on jobmon-docker-cont-p01; pass --host jobmon-docker-cont-p01, or register it with jobmon-ops ports bump --host jobmon-p01'],
  ])('%j', async (args, message) => {
    const result = await runCli(['deploy', ...args, '--dry-run']);
    expect(result.exitCode).toBe(2);
    expect(oneErrorLine(result)).toEqual([message]);
  });

  it('a bad --timeout is a usage error', async () => {
    const result = await runCli(['deploy', 'release-0.8.7', '--dry-run', '--timeout', '0']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("option '--timeout <seconds>' argument '0' is invalid. must be a whole number of seconds, at least 1");
  });

  it('a real deploy without a repository stops in preflight, before contacting anything', async () => {
    const result = await runCli(['deploy', 'release-0.8.7', '--yes'], { env: SENTINEL });
    expect(result.exitCode).toBe(2);
    expect(oneErrorLine(result)).toEqual(['error: no repository to take the release from; pass --repo URL, or set "repository" in the configuration']);
    expectNoSecret(result);
  });

  it('a configured deploy user other than the current one is refused first', async () => {
    const temp = await makeTempDir();
    try {
      const config = path.join(temp.dir, 'config.json');
      await writeFile(config, JSON.stringify({ deployUser: 'svc-nobody-here', repository: '/nonexistent.git' }));
      const result = await runCli(['deploy', 'release-0.8.7', '--yes'], { env: { JOBMON_OPS_CONFIG: config } });
      expect(result.exitCode).toBe(2);
      expect(oneErrorLine(result)).toEqual([
        expect.stringMatching(/^error: deploys are made as svc-nobody-here \(deployUser in the configuration\), not \S+; run as svc-nobody-here, e\.g\. sudo -iu svc-nobody-here$/),
      ]);
    } finally {
      await temp.cleanup();
    }
  });
});

describe('jobmon-ops deploy: releases the registry relates', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await makeRegistryDir());
    const registry = JSON.parse(await readFile(path.join(dir, 'ports.json'), 'utf8'));
    registry.hosts['jobmon-docker-cont-p01'].releases.push(
      { label: 'http.12', tag: 'release-0.8.8', jsm1: 8756, db: 3870, server: 'release-0.8.7' },
      { label: 'x.1', tag: 'release-0.1.12', jsm1: 40001, db: 40002 },
      { label: 'x.2', tag: 'release-0.11.2', jsm1: 40003, db: 40004 },
    );
    await writeFile(path.join(dir, 'ports.json'), JSON.stringify(registry, null, 2));
  });
  afterAll(() => cleanup());

  it('a client-only release deploys its server release and says so', async () => {
    const result = await runCli(['deploy', 'release-0.8.8', '--dry-run'], { cwd: dir });
    expect(result.exitCode).toBe(0);
    expect(result.stderr.trim()).toBe('note: release-0.8.8 is client-only; deploying its server release release-0.8.7');
    expect(result.stdout).toContain('deploy plan: release-0.8.7 (http.11) on jobmon-docker-cont-p01, compose project jobmon087');
  });

  it('two versions that would share a compose project are refused (0.1.12 and 0.11.2)', async () => {
    const result = await runCli(['deploy', 'release-0.1.12', '--dry-run'], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(oneErrorLine(result)).toEqual([
      'error: release-0.1.12 and release-0.11.2 would share the compose project jobmon0112, so their resources could not be told apart; deploy refuses both until one leaves ports.json',
    ]);
  });
});

describe('start-up stays lean', () => {
  /** Files a built module loads before it runs: its static imports, transitively. */
  async function staticGraph(entry: string, seen = new Set<string>()): Promise<Set<string>> {
    if (seen.has(entry)) return seen;
    seen.add(entry);
    const text = await readFile(entry, 'utf8');
    for (const [, spec] of text.matchAll(/(?:from|import)\s*"(\.[^"]+)"/g)) await staticGraph(path.resolve(path.dirname(entry), spec!), seen);
    return seen;
  }

  it('--help and ports list load no deploy code (it sits behind the lazy COMMANDS map)', async () => {
    const cli = path.join(REPO_ROOT, 'dist/cli.js');
    const text = await readFile(cli, 'utf8');
    const portsList = text.match(/import\("(\.\/chunks\/ports-list-[^"]+)"\)/)![1]!;
    const files = [...(await staticGraph(cli)), ...(await staticGraph(path.resolve(path.dirname(cli), portsList)))];
    for (const file of files) expect(await readFile(file, 'utf8')).not.toMatch(/planDeploy|toDockerCreateOptions|formatPlan/);
    expect(text).toMatch(/import\("\.\/chunks\/deploy-[^"]+"\)/);
  });
});
