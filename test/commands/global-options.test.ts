import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, REPO_ROOT, makeRegistryDir, makeTempDir, runCli } from '../helpers/cli.js';

/** The global options as a user meets them: colour on a terminal, --quiet, --verbose, and where the registry is found. */

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.map((c) => c()));
  cleanups = [];
});

const RED = '\u001b[31m';

/** Runs the CLI on a real pseudo-terminal and returns what the terminal showed. */
async function onTerminal(args: string[], env: Record<string, string> = {}): Promise<{ code: number; screen: string }> {
  const { spawn } = await import('@lydell/node-pty');
  const base = { ...process.env } as Record<string, string>;
  delete base.NO_COLOR;
  delete base.CI;
  delete base.FORCE_COLOR;
  const pty = spawn(process.execPath, [BIN, ...args], { cols: 200, rows: 20, cwd: REPO_ROOT, env: { ...base, ...env } });
  let screen = '';
  pty.onData((data) => (screen += data));
  const code = await new Promise<number>((resolve) => pty.onExit(({ exitCode }) => resolve(exitCode)));
  return { code, screen };
}

describe('global options', () => {
  it('colours stderr by stderr\'s own terminal: an error is red on screen while stdout goes to a file', async () => {
    const { dir, cleanup } = await makeTempDir('jobmon-ops-colour-');
    cleanups.push(cleanup);
    const out = path.join(dir, 'out.txt');
    const { spawn } = await import('@lydell/node-pty');
    const base = { ...process.env } as Record<string, string>;
    for (const name of ['NO_COLOR', 'CI', 'FORCE_COLOR']) delete base[name];
    const pty = spawn('/bin/sh', ['-c', `"${process.execPath}" "${BIN}" ports show no-such-release > "${out}"`], { cols: 200, rows: 20, cwd: REPO_ROOT, env: base });
    let screen = '';
    pty.onData((data) => (screen += data));
    const code = await new Promise<number>((resolve) => pty.onExit(({ exitCode }) => resolve(exitCode)));
    expect(code).toBe(2);
    expect(screen).toContain(`${RED}error: no release "no-such-release"`);
    expect(await readFile(out, 'utf8')).toBe('');
  });

  it('colours an error on a terminal; --no-color and NO_COLOR turn it off', async () => {
    const coloured = await onTerminal(['ports', 'show', 'no-such-release']);
    expect(coloured.code).toBe(2);
    expect(coloured.screen).toContain(`${RED}error: no release "no-such-release"`);
    for (const [args, env] of [[['--no-color'], {}], [[], { NO_COLOR: '1' }]] as const) {
      const plain = await onTerminal([...args, 'ports', 'show', 'no-such-release'], env);
      expect(plain.code).toBe(2);
      expect(plain.screen).toContain('error: no release "no-such-release"');
      expect(plain.screen).not.toContain('\u001b[3');
    }
  });

  it('--quiet keeps the data and drops the chatter', async () => {
    const { dir, registry, cleanup } = await makeRegistryDir();
    cleanups.push(cleanup);
    await writeFile(registry, (await readFile(registry, 'utf8')).replace(/"references": \[[^\]]*\]/, '"references": []'));
    const loud = await runCli(['ports', 'bump', '0.8.8', '--dry-run'], { cwd: dir });
    const quiet = await runCli(['-q', 'ports', 'bump', '0.8.8', '--dry-run'], { cwd: dir });
    expect(loud.stdout).toMatch(/^would register release-0\.8\.8/m);
    expect(loud.stdout).toMatch(/^dry run: nothing was written$/m);
    expect(quiet.exitCode).toBe(0);
    expect(quiet.stdout).not.toMatch(/would register|dry run/);
    expect(quiet.stdout).toMatch(/^ports\.json: \+ \{ "label": "http\.12"/m);
  });

  it('finds ports.json in the git root from a subfolder; JOBMON_OPS_REGISTRY and --registry win', async () => {
    const { dir, registry, cleanup } = await makeRegistryDir();
    cleanups.push(cleanup);
    await execa('git', ['init', '-q'], { cwd: dir });
    const sub = path.join(dir, 'a', 'b');
    await mkdir(sub, { recursive: true });
    const fromSub = await runCli(['ports', 'show', '3870', '--json'], { cwd: sub });
    expect(fromSub.exitCode, fromSub.stderr).toBe(0);
    expect(JSON.parse(fromSub.stdout).releases[0]).toMatchObject({ tag: 'release-0.8.7' });
    // Another registry, where 3870 belongs to nobody, named by the environment and then by the flag.
    const other = path.join(dir, 'other.json');
    const text = (await readFile(registry, 'utf8')).replaceAll('3870', '3871');
    await writeFile(other, text);
    const byEnv = await runCli(['ports', 'show', '3870'], { cwd: sub, env: { JOBMON_OPS_REGISTRY: other } });
    expect(byEnv.exitCode).toBe(2);
    const byFlag = await runCli(['--registry', other, 'ports', 'show', '3871'], { cwd: sub, env: { JOBMON_OPS_REGISTRY: registry } });
    expect(byFlag.exitCode, byFlag.stderr).toBe(0);
  });
});
