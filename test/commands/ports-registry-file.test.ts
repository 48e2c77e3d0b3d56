import { spawn, spawnSync } from 'node:child_process';
import { lstat, mkdir, readFile, readdir, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { formatRegistry } from '../../src/registry/format.js';
import type { Registry } from '../../src/registry/schema.js';
import { BIN, makeTempDir, runCli } from '../helpers/cli.js';
import { shippedRegistry } from '../registry/fixtures.js';

// The registry file itself, with real files on disk and real CLI processes:
// symlinks, the write lock, and what a file may not hold.

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.map((c) => c()));
  cleanups = [];
});

const CONT = { host: 'jobmon-docker-cont-p01', line: '{ "label": "http.12", "tag": "release-0.8.8", "jsm1": 8856, "db": 3880 }' };
const P01 = { host: 'jobmon-p01', line: '{ "label": "http.8", "tag": "release-0.8.9", "jsm1": 8956, "db": 3890 }' };

/** The shipped registry without reference files, plus `filler` label-only rows on a host of their own. */
function registryText(filler = 0): string {
  const registry: Registry = { ...shippedRegistry(), references: [], history: [] };
  if (filler > 0) registry.hosts.filler = { releases: Array.from({ length: filler }, (_, i) => ({ label: `f${i}` })) };
  return formatRegistry(registry);
}

async function tempDir() {
  const temp = await makeTempDir();
  cleanups.push(temp.cleanup);
  return temp.dir;
}

/** A lock file as another jobmon-ops would have left it. */
const lockText = (pid: number, host = hostname()) => JSON.stringify({ host, pid, command: 'ports bump', user: 'someone', since: '2026-01-02T03:04:05.000Z' });

describe('ports.json on disk', () => {
  it('a registry reached through a symlink is written through it: the link stays, its target gets the release', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, 'registry'));
    await mkdir(path.join(dir, 'checkout'));
    const target = path.join(dir, 'registry', 'ports.json');
    await writeFile(target, registryText());
    const link = path.join(dir, 'checkout', 'ports.json');
    await symlink('../registry/ports.json', link);
    const result = await runCli(['ports', 'bump', '0.8.8'], { cwd: path.join(dir, 'checkout') });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readlink(link)).toBe('../registry/ports.json');
    expect(await readFile(target, 'utf8')).toContain(CONT.line);
    // No temporary or lock file is left in either folder.
    expect(await readdir(path.join(dir, 'checkout'))).toEqual(['ports.json']);
    expect(await readdir(path.join(dir, 'registry'))).toEqual(['ports.json']);
  });

  it('two bumps at once (real processes, two hosts) take turns: both releases end up in the file', async () => {
    const dir = await tempDir();
    const registry = path.join(dir, 'ports.json');
    // 40 000 filler rows make each read-change-write take a while, so the two overlap.
    await writeFile(registry, registryText(40_000));
    const [a, b] = await Promise.all([
      runCli(['ports', 'bump', '0.8.8', '--host', CONT.host], { cwd: dir, timeoutMs: 60_000 }),
      runCli(['ports', 'bump', '0.8.9', '--host', P01.host], { cwd: dir, timeoutMs: 60_000 }),
    ]);
    expect([a.exitCode, b.exitCode, a.stderr.replace(/^waiting for the registry lock.*\n?/m, ''), b.stderr.replace(/^waiting for the registry lock.*\n?/m, '')]).toEqual([0, 0, '', '']);
    const after = await readFile(registry, 'utf8');
    expect(after).toContain(CONT.line);
    expect(after).toContain(P01.line);
    expect(after.match(/"label": "f\d+"/g)).toHaveLength(40_000);
    expect(await readdir(dir)).toEqual(['ports.json']);
  });

  it('takes over a lock left by a dead process on this machine', async () => {
    const dir = await tempDir();
    const registry = path.join(dir, 'ports.json');
    await writeFile(registry, registryText());
    const dead = spawnSync(process.execPath, ['-e', '']); // it has exited: its pid runs nothing now
    await writeFile(`${registry}.lock`, lockText(dead.pid));
    const result = await runCli(['ports', 'bump', '0.8.8'], { cwd: dir });
    expect([result.exitCode, result.stderr]).toEqual([0, '']);
    expect(await readFile(registry, 'utf8')).toContain(CONT.line);
    expect(await readdir(dir)).toEqual(['ports.json']);
  });

  it('waits for a live holder, and goes on once it lets go', async () => {
    const dir = await tempDir();
    const registry = path.join(dir, 'ports.json');
    await writeFile(registry, registryText());
    await writeFile(`${registry}.lock`, lockText(process.pid));
    const child = spawn(process.execPath, [BIN, 'ports', 'bump', '0.8.8'], { cwd: dir, env: { ...process.env, NO_COLOR: '1', JOBMON_OPS_CONFIG: '/nonexistent/x.json' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise<void>((resolve) =>
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('waiting for the registry lock')) resolve();
      }),
    );
    expect(await readFile(registry, 'utf8')).not.toContain(CONT.line); // nothing written while it waits
    await rm(`${registry}.lock`);
    expect(await exited).toBe(0);
    expect(stderr.trim()).toBe(`waiting for the registry lock, held by ports bump by someone@${hostname()} pid ${process.pid} since 2026-01-02T03:04:05.000Z`);
    expect(await readFile(registry, 'utf8')).toContain(CONT.line);
  });

  it('refuses after a few seconds while the holder lives, in one line naming it; the file and the lock are left alone', async () => {
    const dir = await tempDir();
    const registry = path.join(dir, 'ports.json');
    const before = registryText();
    await writeFile(registry, before);
    // A lock from another machine is never provably dead, whatever its pid.
    const lock = lockText(999_999_999, 'some-other-host');
    await writeFile(`${registry}.lock`, lock);
    const result = await runCli(['ports', 'bump', '0.8.8'], { cwd: dir });
    expect(result.exitCode).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines.at(-1)).toBe(
      `error: the registry is locked by ports bump by someone@some-other-host pid 999999999 since 2026-01-02T03:04:05.000Z (${registry}.lock); wait for it to finish, or if that process is gone, remove the lock file`,
    );
    expect(lines.slice(0, -1)).toEqual([expect.stringMatching(/^waiting for the registry lock/)]);
    expect(await readFile(registry, 'utf8')).toBe(before);
    expect(await readFile(`${registry}.lock`, 'utf8')).toBe(lock);
  });
});

describe('what ports.json may not hold', () => {
  const shipped = () => registryText();
  it.each<[string, (text: string) => string, string]>([
    ['a key given twice', (t) => t.replace('{ "label": "emu.2",', '{ "label": "emu.2", "label": "emu.9",'), 'hosts.jobmon-p01.releases[2].label: is given twice in one object (lines 11 and 11); JSON would keep only the last'],
    ['a host given twice', (t) => t.replace('"jobmon-docker-cont-p01": {', '"jobmon-p01": { "releases": [] },\n    "jobmon-docker-cont-p01": {'), 'hosts.jobmon-p01: is given twice in one object (lines 7 and 27); JSON would keep only the last'],
    ['a control character in a label', (t) => t.replace('"label": "emu.2"', '"label": "emu.\\u001b[31m2"'), 'hosts.jobmon-p01.releases[2].label: must not contain control characters (U+001B at character 5)'],
    ['a control character in a tag', (t) => t.replace('"tag": "release-0.8.7"', '"tag": "release-0.8.7\\u0007"'), 'hosts.jobmon-docker-cont-p01.releases[3].tag: must not contain control characters (U+0007 at character 14)'],
    ['a label with "|"', (t) => t.replace('"label": "emu.2"', '"label": "emu|2"'), 'hosts.jobmon-p01.releases[2].label: must not contain "|" (it separates the columns of the rendered tables)'],
  ])('refuses %s with its path, exit 2, and writes nothing', async (_name, mutate, problem) => {
    const dir = await tempDir();
    const registry = path.join(dir, 'ports.json');
    const text = mutate(shipped());
    expect(text).not.toBe(shipped());
    await writeFile(registry, text);
    for (const args of [['ports', 'list'], ['ports', 'bump', '0.8.8']]) {
      const result = await runCli(args, { cwd: dir });
      expect(result.exitCode).toBe(2);
      expect(result.stderr.trim()).toBe(`error: ports.json: ${problem}; fix the file (it was not changed)`);
    }
    expect(await readFile(registry, 'utf8')).toBe(text);
    expect(await readdir(dir)).toEqual(['ports.json']);
  });

  it('accepts a UTF-8 byte order mark, and bumps such a file', async () => {
    const dir = await tempDir();
    const registry = path.join(dir, 'ports.json');
    await writeFile(registry, `\uFEFF${shipped()}`);
    expect((await readFile(registry)).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const list = await runCli(['ports', 'list'], { cwd: dir });
    expect([list.exitCode, list.stderr]).toEqual([0, '']);
    expect(list.stdout).toContain('http.11');
    const result = await runCli(['ports', 'bump', '0.8.8'], { cwd: dir });
    expect([result.exitCode, result.stderr]).toEqual([0, '']);
    expect(await readFile(registry, 'utf8')).toContain(CONT.line);
  });

  it('a 7 MB registry (330 000 rows) lists, bumps and checks without overflowing the stack', async () => {
    const dir = await tempDir();
    const registry = path.join(dir, 'ports.json');
    await writeFile(registry, registryText(330_000));
    expect((await stat(registry)).size).toBeGreaterThan(7_000_000);
    // 300 000 mentions of an old port in one tracked file (too many to spread as arguments, too).
    await writeFile(path.join(dir, 'notes.md'), '3860 '.repeat(300_000));
    await execa('git', ['init', '-q'], { cwd: dir });
    await execa('git', ['add', 'ports.json', 'notes.md'], { cwd: dir });
    const listed = await runCli(['ports', 'list'], { cwd: dir, timeoutMs: 60_000 });
    expect([listed.exitCode, listed.stderr]).toEqual([0, '']);
    expect(listed.stdout.split('\n').filter((line) => /^f\d+\b/.test(line))).toHaveLength(330_000);
    const bump = await runCli(['ports', 'bump', '0.8.8'], { cwd: dir, timeoutMs: 60_000 });
    expect([bump.exitCode, bump.stderr]).toEqual([0, '']);
    const after = await readFile(registry, 'utf8');
    expect(after).toContain(CONT.line);
    expect(after.match(/"label": "f\d+"/g)).toHaveLength(330_000);
    const check = await runCli(['ports', 'check'], { cwd: dir, timeoutMs: 60_000 });
    expect(check.exitCode).toBe(1);
    expect(check.stdout.trim().split('\n')).toHaveLength(300_000);
    expect(check.stderr.trim()).toMatch(/^300000 stale port mention\(s\) in 1 file\(s\), 0 registry problem\(s\)/);
  }, 240_000);
});
