import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCheckout, findReleaseTag, readFileAtTag } from '../../src/deploy/git-tag.js';
import { makeTempDir, runCli } from '../helpers/cli.js';
import { makeTaggedBareRepo } from '../helpers/git-server.js';

/**
 * `--repo` and the configured repository never reach git as an option: a
 * value starting with `-` is refused before any git runs (git's
 * `--upload-pack=<command>` would run the command), and every git call puts
 * `--` before its positional arguments. Real git, real bare repository.
 */
let dir: string;
let cleanup: () => Promise<void>;
let bare: string;
let wrapperDir: string;
const marker = () => path.join(dir, 'pwned');
const attack = () => `--upload-pack=touch ${marker()}`;

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('jobmon-ops-repo-option-'));
  ({ bare } = await makeTaggedBareRepo(dir, '{"format":1}\n', 'release-1.2.3'));
  // A git first on PATH that logs its arguments (one call a line, NUL-separated) and runs the real one.
  wrapperDir = path.join(dir, 'bin');
  await mkdir(wrapperDir);
  const real = (await execa('sh', ['-c', 'command -v git'])).stdout.trim();
  await writeFile(path.join(wrapperDir, 'git'), `#!/bin/sh\nprintf '%s\\0' "$@" >> '${path.join(dir, 'argv.log')}'\nprintf '\\n' >> '${path.join(dir, 'argv.log')}'\nexec '${real}' "$@"\n`);
  await chmod(path.join(wrapperDir, 'git'), 0o755);
});
afterAll(() => cleanup());

describe('a repository that starts with "-"', () => {
  it('--repo=--upload-pack=...: exit 2, one line naming the fix, the command never runs', async () => {
    const result = await runCli(['deploy', 'release-0.8.7', `--repo=${attack()}`, '--yes']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      `error: --repo is "${attack()}", which starts with "-" and so would reach git as an option; give the repository's URL or path (./${attack()} for a folder of that name)`,
    ]);
    expect(existsSync(marker())).toBe(false);
  });

  it('the configured repository: refused the same way, naming the configuration', async () => {
    const config = path.join(dir, 'config.json');
    await writeFile(config, JSON.stringify({ repository: attack() }));
    const result = await runCli(['deploy', 'release-0.8.7', '--yes'], { env: { JOBMON_OPS_CONFIG: config } });
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: "repository" in the configuration is "--upload-pack=touch .*", which starts with "-"/)]);
    expect(existsSync(marker())).toBe(false);
  });

  it('each git entry point refuses it too, before git runs', async () => {
    const tag = { tag: 'release-1.2.3', commit: '0'.repeat(40), version: '1.2.3' };
    await expect(findReleaseTag(attack(), ['release-1.2.3'])).rejects.toMatchObject({ exitCode: 2 });
    await expect(readFileAtTag(attack(), tag, 'ports.json')).rejects.toMatchObject({ exitCode: 2 });
    await expect(ensureCheckout(attack(), tag, path.join(dir, 'never'))).rejects.toMatchObject({ exitCode: 2 });
    expect(existsSync(marker())).toBe(false);
    expect(existsSync(path.join(dir, 'never'))).toBe(false);
  });
});

describe('git calls', () => {
  it('put -- before the repository and paths (ls-remote, init, fetch, clone)', async () => {
    const saved = process.env.PATH;
    process.env.PATH = `${wrapperDir}:${saved}`;
    try {
      const tag = await findReleaseTag(bare, ['release-1.2.3']);
      expect(await readFileAtTag(bare, tag, 'ports.json')).toBe('{"format":1}');
      await ensureCheckout(bare, tag, path.join(dir, 'checkout'));
    } finally {
      process.env.PATH = saved;
    }
    const calls = (await readFile(path.join(dir, 'argv.log'), 'utf8')).trim().split('\n').map((line) => line.split('\0').slice(0, -1));
    const url = `file://${bare}`;
    const withUrl = calls.filter((argv) => argv.includes(url));
    expect(withUrl.map((argv) => argv[0])).toEqual(['ls-remote', 'fetch', 'clone']);
    for (const argv of withUrl) expect(argv.indexOf('--'), argv.join(' ')).toBe(argv.indexOf(url) - 1);
    const init = calls.find((argv) => argv[0] === 'init')!;
    expect(init.at(-2)).toBe('--');
    expect(calls.find((argv) => argv[0] === 'clone')).toContain('--branch=release-1.2.3');
  });
});
