import { readFile, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { makeRegistryDir, runCli } from '../helpers/cli.js';
import { expectJsonOutput } from '../fixtures/json-schemas.js';

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.map((c) => c()));
  cleanups = [];
});

describe('jobmon-ops ports list', () => {
  it('prints every host as the docs table', async () => {
    const result = await runCli(['ports', 'list']);
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('jobmon-p01');
    expect(lines).toContain('Version  jqs   jsm-1  jsm-2  db    git-tag        dbs-notes');
    expect(lines).toContain('emu.5    4458  4456   4457   3305  kelly-and-leo  063again');
    expect(lines).toContain('http.2   6258  6256   n/a    3316  release-0.7.1');
    expect(lines).toContain('jobmon-docker-cont-p01');
    expect(lines).toContain('http.11       8756          3870  release-0.8.7');
  });

  it('filters by host, as JSON', async () => {
    const result = await runCli(['ports', 'list', '--host', 'jobmon-docker-cont-p01', '--json']);
    expect(result.exitCode).toBe(0);
    const data = expectJsonOutput('ports list', result.stdout);
    expect(Object.keys(data.hosts)).toEqual(['jobmon-docker-cont-p01']);
    const releases = data.hosts['jobmon-docker-cont-p01'].releases;
    expect(releases).toHaveLength(4);
    // The same release shape as ports show prints, with the registry's own cells beside it.
    const shown = expectJsonOutput('ports show', (await runCli(['ports', 'show', 'release-0.8.7', '--json'])).stdout).releases[0];
    const { clientOnlyReleases, matched, ...shape } = shown;
    expect([clientOnlyReleases, matched.by]).toEqual([[], 'tag']);
    expect(releases.find((r: { tag: string }) => r.tag === 'release-0.8.7')).toEqual({ ...shape, jsm1: 8756, db: 3870 });
    expect(data.internalPorts).toEqual({ db: 3306, service: 80 });
  });

  it('refuses an unknown host with exit 2', async () => {
    const result = await runCli(['ports', 'list', '--host', 'nope']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim()).toBe('error: no host "nope" in the registry (known: jobmon-p01, jobmon-docker-cont-p01); pass one of those to --host');
  });

  it('finds the registry through JOBMON_OPS_REGISTRY and --registry, and says when there is none', async () => {
    const temp = await makeRegistryDir();
    cleanups.push(temp.cleanup);
    const byEnv = await runCli(['ports', 'list', '--json'], { cwd: '/', env: { JOBMON_OPS_REGISTRY: temp.registry } });
    expect(byEnv.exitCode).toBe(0);
    const none = await runCli(['ports', 'list'], { cwd: '/' });
    expect(none.exitCode).toBe(2);
    expect(none.stderr.trim()).toMatch(/^error: no port registry at ports\.json; run in a jobmon checkout, pass --registry FILE, or create one with jobmon-ops ports import <file\.rst>$/);
  });

  it('still lists a registry that breaks a rule, with a warning', async () => {
    const temp = await makeRegistryDir();
    cleanups.push(temp.cleanup);
    const text = (await readFile(temp.registry, 'utf8')).replace('"sharedPorts": { "8356": "historic" }', '"notes": "x"');
    await writeFile(temp.registry, text);
    const result = await runCli(['ports', 'list', '--registry', temp.registry]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(/^warning: hosts\.jobmon-p01\.releases\[14\]\.jsm1: port 8356 is also used by release-0\.8\.1/);
  });

  it('prints help and exits 0; an unknown command exits 2', async () => {
    const help = await runCli(['--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain('Usage: jobmon-ops [options] [command]');
    const bad = await runCli(['nonsense']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain("unknown command 'nonsense'");
  });
});
