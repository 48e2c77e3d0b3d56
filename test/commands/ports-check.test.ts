import { existsSync } from 'node:fs';
import { writeFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { formatRegistry } from '../../src/registry/format.js';
import { REPO_ROOT, makeRegistryDir, makeTempDir, runCli } from '../helpers/cli.js';
import { parseRegistry } from '../../src/registry/parse.js';
import { allReleases, newestRelease, versionOf } from '../../src/registry/release.js';
import { expectJsonOutput } from '../fixtures/json-schemas.js';

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.map((c) => c()));
  cleanups = [];
});

/** A temp git checkout with the shipped registry, `history: ["old/"]`, and the given tracked files. */
async function checkout(files: Record<string, string | Buffer>, untracked: Record<string, string> = {}) {
  const temp = await makeRegistryDir();
  cleanups.push(temp.cleanup);
  const registry = JSON.parse(await readFile(temp.registry, 'utf8'));
  registry.references = [];
  registry.history = ['old/'];
  await writeFile(temp.registry, formatRegistry(registry));
  for (const [name, content] of Object.entries({ ...files, ...untracked })) {
    await mkdir(path.dirname(path.join(temp.dir, name)), { recursive: true });
    await writeFile(path.join(temp.dir, name), content);
  }
  await execa('git', ['init', '-q'], { cwd: temp.dir });
  await execa('git', ['add', 'ports.json', ...Object.keys(files)], { cwd: temp.dir });
  return temp;
}

describe('jobmon-ops ports check', () => {
  it('finds stale ports of earlier releases as whole numbers, file:line:col, exit 1', async () => {
    const { dir } = await checkout({
      'docs/quickstart.md': 'current 3870 and 8756\nold db 3860, not 38601 or 13860\n',
      'src/constants.py': 'SERVICE_PORT = 8656\n',
      'old/services.rst': 'history: 3860 3850 8656\n',
      'package-lock.json': '{"x": 3860}\n',
      'blob.bin': Buffer.from([0, 1, 2, 0x33, 0x38, 0x36, 0x30]),
    }, { 'notes.txt': 'untracked 3860\n' });
    const result = await runCli(['ports', 'check'], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect(result.stdout.split('\n')).toEqual([
      'docs/quickstart.md:2:8: 3860 is the db port of release-0.8.6; the current release release-0.8.7 uses 3870',
      'src/constants.py:1:16: 8656 is the jsm-1 port of release-0.8.6; the current release release-0.8.7 uses 8756',
    ]);
    expect(result.stderr.trim()).toMatch(/^2 stale port mention\(s\) in 2 file\(s\), 0 registry problem\(s\) .*list a file that records history under "history" in ports\.json$/);
  });

  it('exits 0 on a clean checkout and says how much it scanned', async () => {
    const { dir } = await checkout({ 'docs/quickstart.md': 'port 3870\n' });
    const result = await runCli(['ports', 'check'], { cwd: dir });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('no stale ports in 1 file (current release release-0.8.7 on jobmon-docker-cont-p01)');
  });

  it('scans another checkout with --dir, and reports JSON with --json', async () => {
    const { dir } = await checkout({ 'a.md': 'see 3841\n' });
    const result = await runCli(['ports', 'check', '--dir', dir, '--json'], { cwd: REPO_ROOT });
    expect(result.exitCode).toBe(1);
    const report = expectJsonOutput('ports check', result.stdout);
    expect(report.current).toBe('release-0.8.7');
    expect(report.findings).toEqual([
      { file: 'a.md', line: 1, column: 5, port: 3841, field: 'db', release: 'release-0.8.5', current: 'release-0.8.7', currentPort: 3870 },
    ]);
  });

  it('also fails on registry rule problems', async () => {
    const { dir, registry } = await checkout({ 'a.md': 'fine\n' });
    const text = (await readFile(registry, 'utf8')).replace('"sharedPorts": { "8356": "historic" }', '"notes": "x"');
    await writeFile(registry, text);
    const result = await runCli(['ports', 'check'], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('ports.json: hosts.jobmon-p01.releases[14].jsm1: port 8356 is also used by release-0.8.1 on jobmon-p01; record a reason under sharedPorts or pick another port');
  });

  it('refuses a folder that is not a git checkout with exit 2', async () => {
    const temp = await makeRegistryDir();
    cleanups.push(temp.cleanup);
    const result = await runCli(['ports', 'check'], { cwd: temp.dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim()).toMatch(/^error: .* is not a git checkout \(git ls-files failed\); pass --dir with the path of a clone$/);
  });

  it('passes on this repository itself', async () => {
    const result = await runCli(['ports', 'check', '--dir', REPO_ROOT]);
    expect(result.stdout).toMatch(/^no stale ports in \d+ files/);
    expect(result.exitCode).toBe(0);
  });

  it('still passes on a copy of this repository after its own next bump', async () => {
    const { dir, cleanup } = await makeTempDir('jobmon-ops-self-bump-');
    cleanups.push(cleanup);
    // The tracked tree as it is now (work-tree versions), committed in a fresh repository.
    const { stdout } = await execa('git', ['ls-files', '-z', '-co', '--exclude-standard'], { cwd: REPO_ROOT });
    const files = stdout.split('\0').filter((f) => f !== '' && existsSync(path.join(REPO_ROOT, f)));
    await execa('bash', ['-c', `tar --null -T - -cf - | tar -xf - -C "${dir}"`], { cwd: REPO_ROOT, input: files.join('\0') });
    const git = (...args: string[]) => execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: dir });
    await git('init', '-q', '-b', 'main');
    await git('add', '-A');
    await git('commit', '-q', '-m', 'copy');
    const parsed = parseRegistry(await readFile(path.join(dir, 'ports.json'), 'utf8'));
    if (!parsed.ok) throw new Error('the shipped ports.json is invalid');
    const newest = newestRelease(allReleases(parsed.registry).filter((r) => r.release.server === undefined))!;
    const [major, minor, patch] = versionOf(newest.release.tag)!.split('.').map(Number) as [number, number, number];
    const next = patch < 9 ? `${major}.${minor}.${patch + 1}` : `${major}.${minor + 1}.0`;
    const bump = await runCli(['ports', 'bump', next, '--host', newest.host], { cwd: dir });
    expect(bump.exitCode, bump.stderr).toBe(0);
    const result = await runCli(['ports', 'check'], { cwd: dir });
    expect(result.stdout, result.stdout).toMatch(/^no stale ports in \d+ files/);
    expect(result.exitCode).toBe(0);
  });
});
