import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, REPO_ROOT, runCli } from '../helpers/cli.js';
import { makeTaggedBareRepo } from '../helpers/git-server.js';
import { expectJsonOutput } from '../fixtures/json-schemas.js';

/**
 * `deploy --dry-run --repo` plans from the tag's own ports.json, read as a
 * real deploy reads it (a shallow fetch of a real bare repository), so the
 * two cannot disagree on ports; the local registry is only checked against it.
 */
describe('deploy --dry-run with a repository', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let bare: string;
  let commit: string;
  let local: string;

  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir('jobmon-ops-dryrun-tag-'));
    const base = JSON.parse(await readFile(path.join(REPO_ROOT, 'ports.json'), 'utf8'));
    // The tag registers release-5.1.0 on host h1; the local registry (the project's own) does not know it.
    const tagged = { ...base, hosts: { ...base.hosts, h1: { releases: [{ label: 'd.1', tag: 'release-5.1.0', jsm1: 45101, db: 45100 }] } } };
    ({ bare, commit } = await makeTaggedBareRepo(dir, `${JSON.stringify(tagged, null, 2)}\n`, 'release-5.1.0'));
    // A local registry that disagrees with the tag on the DB port.
    local = path.join(dir, 'local.json');
    await writeFile(local, `${JSON.stringify({ ...base, hosts: { ...base.hosts, h1: { releases: [{ label: 'd.1', tag: 'release-5.1.0', jsm1: 45101, db: 45199 }] } } }, null, 2)}\n`);
  });
  afterAll(() => cleanup());

  it('plans with the tag\'s ports and commit, says so, and changes nothing', async () => {
    const result = await runCli(['deploy', 'release-5.1.0', '--dry-run', '--repo', bare, '--bind', '127.0.0.1']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('deploy plan: release-5.1.0 (d.1) on h1, compose project jobmon510');
    expect(result.stdout).toContain('      ports    127.0.0.1:45100 -> 3306/tcp (db)');
    expect(result.stdout).toContain(`jobmon-server:${commit.slice(0, 12)}`);
    expect(result.stdout).toContain(`planned from tag release-5.1.0 (${commit.slice(0, 12)}) of ${bare}, with that tag's own ports.json, as deploy reads it`);
    expect(result.stdout.trim().split('\n').at(-1)).toBe('dry run: nothing was changed');
    const json = await runCli(['deploy', 'release-5.1.0', '--dry-run', '--json', '--repo', bare]);
    expect(expectJsonOutput('deploy --dry-run', json.stdout)).toMatchObject({ commit });
  });

  it('without the repository the local registry does not know the release: the same refusal as before', async () => {
    const result = await runCli(['deploy', 'release-5.1.0', '--dry-run']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^error: no release "release-5\.1\.0" in the registry/);
  });

  it('a local registry that disagrees with the tag is refused as deploy refuses it (exit 2, one line)', async () => {
    const dry = await runCli(['--registry', local, 'deploy', 'release-5.1.0', '--dry-run', '--repo', bare]);
    expect(dry.exitCode).toBe(2);
    const lines = dry.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: .*45199.*45100|^error: .*45100.*45199/);
  });
});
