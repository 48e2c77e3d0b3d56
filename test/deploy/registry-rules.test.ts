import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveReleaseSource } from '../../src/deploy/release-source.js';
import { makeTempDir, REPO_ROOT, runCli } from '../helpers/cli.js';

/**
 * Deploy refuses a registry that `ports check` refuses, before it plans:
 * real bare repository, tags whose own ports.json has port 0, -5 or 70000,
 * and the CLI's preflight and dry run over a local registry with such a port.
 */
let dir: string;
let cleanup: () => Promise<void>;
let bare: string;
let base: Record<string, unknown> & { hosts: Record<string, unknown> };
const withHost = (releases: unknown[]) => ({ ...base, hosts: { ...base.hosts, h1: { releases } } });
const BAD = { 'release-6.0.1': { db: 0 }, 'release-6.0.2': { jsm1: -5 }, 'release-6.0.3': { db: 70000 } } as const;
const release = (tag: string, ports: Record<string, number> = {}) => ({ label: 'r.1', tag, jsm1: 46001, db: 46000, ...ports });
const portProblem = (tag: keyof typeof BAD) => {
  const [field, port] = Object.entries(BAD[tag])[0]!;
  return `hosts.h1.releases[0].${field}: ${port} is not a port (1-65535)`;
};

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('jobmon-ops-registry-rules-'));
  base = JSON.parse(await readFile(path.join(REPO_ROOT, 'ports.json'), 'utf8'));
  const work = path.join(dir, 'work');
  bare = path.join(dir, 'jobmon.git');
  await mkdir(work);
  const git = (...args: string[]) => execa('git', args, { cwd: work, env: { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
  await git('init', '-q', '-b', 'main');
  const tags: [string, unknown][] = [...Object.entries(BAD).map(([tag, ports]) => [tag, withHost([release(tag, ports)])] as [string, unknown]), ['release-6.0.4', withHost([release('release-6.0.4')])]];
  for (const [tag, registry] of tags) {
    await writeFile(path.join(work, 'ports.json'), `${JSON.stringify(registry, null, 2)}\n`);
    await git('add', '.');
    await git('commit', '-q', '-m', tag);
    await git('tag', tag);
  }
  await execa('git', ['clone', '-q', '--bare', work, bare]);
});
afterAll(() => cleanup());

describe("a tag whose ports.json breaks a registry rule", () => {
  it.each(Object.keys(BAD) as (keyof typeof BAD)[])('%s: refused in preflight with the path of the problem, as ports check refuses it', async (tag) => {
    const refused = resolveReleaseSource({ ref: tag, repo: bare, host: 'h1', log: () => undefined });
    await expect(refused).rejects.toMatchObject({
      exitCode: 2,
      message: `the ports.json of tag ${tag} breaks a registry rule: ${portProblem(tag)}; fix it in a new commit and tag that (jobmon-ops ports check in its checkout lists every problem)`,
    });
    // ports check in a checkout of that tag reports the same problem at the same path.
    const checkout = path.join(dir, `checkout-${tag}`);
    await execa('git', ['clone', '-q', '--branch', tag, bare, checkout]);
    const check = await runCli(['ports', 'check', '--dir', checkout]);
    expect(check.exitCode).toBe(1);
    expect(check.stdout.split('\n')).toContain(`ports.json: ${portProblem(tag)}`);
  });

  it('the real deploy: exit 2 in preflight, one line, nothing written or created', async () => {
    const deployments = path.join(dir, 'deployments');
    await mkdir(deployments);
    const cwd = path.join(dir, 'elsewhere');
    await mkdir(cwd);
    const result = await runCli(['deploy', 'release-6.0.3', '--repo', bare, '--host', 'h1', '--bind', '127.0.0.1', '--yes'], { cwd, env: { JOBMON_DEPLOYMENTS_DIR: deployments } });
    expect(result.exitCode, result.stderr).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([`error: the ports.json of tag release-6.0.3 breaks a registry rule: ${portProblem('release-6.0.3')}; fix it in a new commit and tag that (jobmon-ops ports check in its checkout lists every problem)`]);
    expect(await readdir(deployments)).toEqual([]);
    expect(existsSync(path.join(deployments, '6.0.3'))).toBe(false);
  });
});

describe('a local registry that breaks a registry rule', () => {
  it('deploy --dry-run and the real deploy refuse it with the same line, before anything', async () => {
    const local = path.join(dir, 'local-ports.json');
    await writeFile(local, `${JSON.stringify(withHost([release('release-6.0.4', { db: 70000 })]), null, 2)}\n`);
    const line = 'error: the local registry breaks a registry rule: hosts.h1.releases[0].db: 70000 is not a port (1-65535); fix it before deploying (jobmon-ops ports check lists every problem)';
    const dry = await runCli(['deploy', 'release-6.0.4', '--host', 'h1', '--dry-run'], { env: { JOBMON_OPS_REGISTRY: local } });
    expect(dry.exitCode).toBe(2);
    expect(dry.stdout).toBe('');
    expect(dry.stderr.trim().split('\n')).toEqual([line]);
    const real = await runCli(['deploy', 'release-6.0.4', '--repo', bare, '--host', 'h1', '--bind', '127.0.0.1', '--yes'], { env: { JOBMON_OPS_REGISTRY: local, JOBMON_DEPLOYMENTS_DIR: path.join(dir, 'none') } });
    expect(real.exitCode).toBe(2);
    expect(real.stderr.trim().split('\n')).toEqual([line]);
    expect(existsSync(path.join(dir, 'none'))).toBe(false);
    // The shipped registry passes, so a dry run of it plans as before.
    const ok = await runCli(['deploy', 'release-0.8.7', '--dry-run']);
    expect(ok.exitCode, ok.stderr).toBe(0);
  });
});
