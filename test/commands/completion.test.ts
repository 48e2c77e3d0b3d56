import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, makeTempDir, REPO_ROOT, runCli } from '../helpers/cli.js';

/**
 * `jobmon-ops completion bash` sourced into a real bash, which completes
 * through the real CLI (a `jobmon-ops` on PATH), as a user's shell would.
 */
let bin: { dir: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  bin = await makeTempDir('jobmon-ops-completion-');
  const shim = path.join(bin.dir, 'jobmon-ops');
  await writeFile(shim, `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  await chmod(shim, 0o755);
});
afterAll(() => bin.cleanup());

/** What bash offers for the words typed so far (the last one being completed). */
async function bashComplete(...words: string[]): Promise<string[]> {
  const script = (await runCli(['completion', 'bash'])).stdout;
  const quoted = ['jobmon-ops', ...words].map((w) => `'${w}'`).join(' ');
  const { stdout } = await execa('bash', ['-c', `${script}\nCOMP_WORDS=(${quoted}); COMP_CWORD=${words.length}; _jobmon_ops; printf '%s\\n' "\${COMPREPLY[@]}"`], {
    cwd: REPO_ROOT,
    env: { PATH: `${bin.dir}:${process.env.PATH}`, NO_COLOR: '1', JOBMON_OPS_CONFIG: '/nonexistent/config.json' },
    extendEnv: false,
  });
  return stdout.split('\n').filter(Boolean);
}

describe('shell completion', () => {
  it('completes commands, subcommands and flags (the command\'s own and the global ones)', async () => {
    expect(await bashComplete('de')).toEqual(['deploy']);
    expect(await bashComplete('ports', 'b')).toEqual(['bump']);
    expect(await bashComplete('deploy', '--re')).toEqual(['--redeploy', '--registry', '--repo']);
    expect(await bashComplete('status', '--')).toContain('--json');
  });

  it('completes release references from the registry, and services after a release', async () => {
    const releases = await bashComplete('deploy', 'release-0.8.');
    expect(releases).toContain('release-0.8.7');
    expect(releases.every((r) => r.startsWith('release-0.8.'))).toBe(true);
    expect(await bashComplete('logs', 'http.1')).toEqual(['http.10', 'http.11']);
    expect(await bashComplete('logs', 'http.11', '')).toEqual(['db', 'jobmon', 'monitor']);
    expect(await bashComplete('--registry', 'ports.json', 'status', 'jobmon08')).toContain('jobmon087');
  });

  it('prints a script for zsh and fish that asks the same engine, and refuses another shell (exit 2)', async () => {
    expect((await runCli(['completion', 'zsh'])).stdout).toMatch(/^#compdef jobmon-ops\n[\s\S]*jobmon-ops __complete -- /);
    expect((await runCli(['completion', 'fish'])).stdout).toContain('complete -c jobmon-ops -f -a \'(__jobmon_ops_complete)\'');
    const bad = await runCli(['completion', 'tcsh']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr.trim()).toBe('error: no completion for shell "tcsh"; choose one of bash, zsh, fish');
  });
});

describe('--version and help', () => {
  it('--version and -V print the package version', async () => {
    const { version } = (await import('../../package.json', { with: { type: 'json' } })).default;
    for (const flag of ['--version', '-V']) expect((await runCli([flag])).stdout.trim()).toBe(version);
  });

  it('every subcommand\'s help shows the global options and ends with examples', async () => {
    for (const args of [['deploy'], ['ports', 'bump'], ['logs'], ['dump']]) {
      const { stdout, exitCode } = await runCli([...args, '--help']);
      expect(exitCode).toBe(0);
      expect(stdout).toMatch(/^Global Options:\n(.*\n)* {2}--registry <file>/m);
      expect(stdout).toMatch(new RegExp(`\\nExamples:\\n(  \\$ jobmon-ops ${args.join(' ')} .*\\n?)+$`));
    }
  });
});
