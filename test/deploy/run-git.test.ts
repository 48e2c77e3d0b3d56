import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runGit } from '../../src/util/git.js';
import { makeTempDir } from '../helpers/cli.js';

/** runGit (src/util/git.ts), the one way git runs: results, failures, and what simple-git still refuses. Real git, real repository. */
let dir: string;
let cleanup: () => Promise<void>;
const saved = { ...process.env };

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('jobmon-ops-run-git-'));
  await execa('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  await writeFile(path.join(dir, 'a b.txt'), 'a\n');
  await execa('git', ['add', '.'], { cwd: dir });
});
afterEach(() => {
  for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
  Object.assign(process.env, saved);
});
afterAll(() => cleanup());

describe('runGit', () => {
  it('gives stdout without its final newline', async () => {
    expect(await runGit(['ls-files', '-z', '--cached'], { cwd: dir })).toEqual({ ok: true, stdout: 'a b.txt\0', error: '' });
    expect(await runGit(['rev-parse', '--show-prefix'], { cwd: dir })).toEqual({ ok: true, stdout: '', error: '' });
  });

  it('a failure is its first error line, without "fatal: "', async () => {
    const notRepo = path.join(dir, '..');
    const result = await runGit(['ls-files'], { cwd: notRepo });
    expect(result).toMatchObject({ ok: false, stdout: '' });
    expect(result.error).toMatch(/^not a git repository/);
    expect(await runGit(['ls-files'], { cwd: path.join(dir, 'no-such-folder') })).toMatchObject({ ok: false });
  });

  it('any exit but 0 fails, even with nothing on stderr (simple-git alone would call it a success)', async () => {
    expect(await runGit(['rev-parse', '--verify', '-q', 'refs/tags/none'], { cwd: dir })).toEqual({ ok: false, stdout: '', error: '' });
  });

  it('runs with the operator\'s own GIT_SSH_COMMAND in the environment, which simple-git refuses by default', async () => {
    process.env.GIT_SSH_COMMAND = 'ssh -i /nonexistent/key';
    expect(await runGit(['ls-files', '-z', '--cached'], { cwd: dir })).toMatchObject({ ok: true });
    expect(await runGit(['ls-files', '-z', '--cached'], { cwd: dir, env: { GIT_SSH_COMMAND: 'ssh -o BatchMode=yes' } })).toMatchObject({ ok: true });
  });

  it('simple-git\'s other checks stay on: an option that runs a command is refused before git starts', async () => {
    const marker = path.join(dir, 'pwned');
    const result = await runGit(['ls-remote', `--upload-pack=touch ${marker}`, '--', `file://${dir}`], { cwd: dir });
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/--upload-pack .*not permitted/);
    expect(await runGit(['-c', `core.pager=touch ${marker}`, 'log'], { cwd: dir })).toMatchObject({ ok: false });
    expect(existsSync(marker)).toBe(false);
  });
});
