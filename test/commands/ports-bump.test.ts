import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatRegistry } from '../../src/registry/format.js';
import { makeRegistryDir, runCli } from '../helpers/cli.js';
import { expectJsonOutput } from '../fixtures/json-schemas.js';

const QUICKSTART = 'Service port 8756, database 3870.\nNot 38701.\nOld: 3860\n';

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.map((c) => c()));
  cleanups = [];
});

/** A temp checkout: a copy of ports.json listing quickstart.md as a reference. */
async function setup() {
  const temp = await makeRegistryDir({ 'quickstart.md': QUICKSTART });
  cleanups.push(temp.cleanup);
  const registry = JSON.parse(await readFile(temp.registry, 'utf8'));
  registry.references = ['quickstart.md'];
  registry.history = [];
  await writeFile(temp.registry, formatRegistry(registry));
  const before = await readFile(temp.registry, 'utf8');
  const bump = (...args: string[]) => runCli(['ports', 'bump', ...args], { cwd: temp.dir });
  return { ...temp, before, bump };
}

describe('jobmon-ops ports bump', () => {
  it('registers the next release, rewrites the references and prints each change', async () => {
    const { dir, registry, before, bump } = await setup();
    const result = await bump('release-0.8.8');
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout.split('\n')).toEqual([
      'registered release-0.8.8 (http.12) on jobmon-docker-cont-p01 (legacy scheme: jsm-1 8756 -> 8856, db 3870 -> 3880)',
      'ports.json: + { "label": "http.12", "tag": "release-0.8.8", "jsm1": 8856, "db": 3880 }',
      'quickstart.md:1 8756 -> 8856',
      'quickstart.md:1 3870 -> 3880',
    ]);
    expect(await readFile(path.join(dir, 'quickstart.md'), 'utf8')).toBe('Service port 8856, database 3880.\nNot 38701.\nOld: 3860\n');
    const after = await readFile(registry, 'utf8');
    // the diff is one added line (plus the comma that now ends the line above it)
    const added = after.split('\n').filter((line) => !before.split('\n').includes(line));
    expect(added).toEqual([
      '        { "label": "http.11", "tag": "release-0.8.7", "jsm1": 8756, "db": 3870 },',
      '        { "label": "http.12", "tag": "release-0.8.8", "jsm1": 8856, "db": 3880 }',
    ]);
    const check = await runCli(['ports', 'show', '3880'], { cwd: dir });
    expect(check.stdout).toContain('3880 is the db port of release-0.8.8 (http.12) on jobmon-docker-cont-p01');
  });

  it('--dry-run prints the same and writes nothing', async () => {
    const { dir, registry, before, bump } = await setup();
    const result = await bump('0.8.8', '--dry-run');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('would register release-0.8.8 (http.12)');
    expect(result.stdout).toContain('quickstart.md:1 3870 -> 3880');
    expect(result.stdout).toContain('dry run: nothing was written');
    expect(await readFile(registry, 'utf8')).toBe(before);
    expect(await readFile(path.join(dir, 'quickstart.md'), 'utf8')).toBe(QUICKSTART);
  });

  it('--client-only keeps the server ports and rewrites nothing', async () => {
    const { dir, registry, bump } = await setup();
    const result = await bump('0.8.8', '--client-only', '--json');
    expect(result.exitCode).toBe(0);
    expect(expectJsonOutput('ports bump', result.stdout)).toMatchObject({ scheme: 'client-only', release: { server: 'release-0.8.7', db: 3870, jsm1: 8756 }, edits: [], written: true });
    expect(await readFile(registry, 'utf8')).toContain('{ "label": "http.12", "tag": "release-0.8.8", "jsm1": 8756, "db": 3870, "server": "release-0.8.7" }');
    expect(await readFile(path.join(dir, 'quickstart.md'), 'utf8')).toBe(QUICKSTART);
    const shown = await runCli(['ports', 'show', '3870'], { cwd: dir });
    expect(shown.stdout).toContain('release-0.8.7 (http.11)');
    expect(shown.stdout).toContain('release-0.8.8 (http.12)');
  });

  it.each([
    [['0.8.6'], /^error: 0\.8\.6 is not newer than release-0\.8\.7, the newest release on jobmon-docker-cont-p01; bump to a version above 0\.8\.7$/],
    [['banana'], /^error: "banana" is not a release version; give one like release-0\.8\.8 or 0\.8\.8/],
    [['0.8.10'], /^error: the legacy port scheme cannot express 0\.8\.10: patch 10 is over 9/],
    [['0.8.8', '--host', 'nowhere'], /^error: no host "nowhere" in the registry/],
    [['0.8.8', '--host', 'jobmon-p01', '--label', 'http'], /^error: label http is already used on jobmon-p01/],
  ])('refuses %j with one line, exit 2, nothing written', async (args, message) => {
    const { dir, registry, before, bump } = await setup();
    const result = await bump(...args);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr.trim()).toMatch(message);
    expect(await readFile(registry, 'utf8')).toBe(before);
    expect(await readFile(path.join(dir, 'quickstart.md'), 'utf8')).toBe(QUICKSTART);
  });

  it('refuses a port collision naming the release, and records the reason when sharing is allowed', async () => {
    const { registry, before, bump } = await setup();
    // 0.8.3 on jobmon-p01 did not follow the legacy formula: its JSM port 8456 is what 0.8.4 would get
    const clash = await bump('0.8.4', '--host', 'jobmon-p01', '--label', 'http.7b');
    expect(clash.exitCode).toBe(2);
    expect(clash.stderr.trim()).toBe(
      'error: port 8456 (jsm-1) of 0.8.4 is already used by release-0.8.3 (http.7) on jobmon-p01; bump to another version, or pass --allow-shared-port "<reason>"',
    );
    expect(await readFile(registry, 'utf8')).toBe(before);
    const shared = await bump('0.8.4', '--host', 'jobmon-p01', '--label', 'http.7b', '--allow-shared-port', 'JSM of 0.8.3 retired');
    expect(shared.exitCode).toBe(0);
    expect(await readFile(registry, 'utf8')).toContain(
      '{ "label": "http.7b", "tag": "release-0.8.4", "jsm1": 8456, "db": 3840, "sharedPorts": { "8456": "JSM of 0.8.3 retired" } }',
    );
  });

  it('refuses flag values the file could not hold (a label with a space, an empty sharing reason), writing nothing', async () => {
    const { dir, registry, before, bump } = await setup();
    const spaced = await bump('0.8.8', '--label', 'http 12');
    expect(spaced.exitCode).toBe(2);
    expect(spaced.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^error: the bump would make ports\.json invalid: hosts\.jobmon-docker-cont-p01\.releases\[\d+\]\.label: must be one word without spaces; nothing was written, fix the flag and run it again$/),
    ]);
    const reasonless = await bump('0.8.4', '--host', 'jobmon-p01', '--label', 'http.7b', '--allow-shared-port', '');
    expect(reasonless.exitCode).toBe(2);
    expect(reasonless.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: the bump would make ports\.json invalid: .*sharedPorts\.8456.*; nothing was written/)]);
    expect(await readFile(registry, 'utf8')).toBe(before);
    expect(await readFile(path.join(dir, 'quickstart.md'), 'utf8')).toBe(QUICKSTART);
    // and the registry still loads
    expect((await runCli(['ports', 'list'], { cwd: dir })).exitCode).toBe(0);
  });

  it('refuses to rewrite a registry that breaks a rule', async () => {
    const { registry, bump } = await setup();
    const text = (await readFile(registry, 'utf8')).replace('"sharedPorts": { "8356": "historic" }', '"notes": "x"');
    await writeFile(registry, text);
    const result = await bump('0.8.8');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^error: ports\.json breaks 1 registry rule\(s\), first: hosts\.jobmon-p01\.releases\[14\]\.jsm1: port 8356 is also used by release-0\.8\.1/);
    expect(await readFile(registry, 'utf8')).toBe(text);
  });

  it('says where malformed JSON breaks and leaves the file alone', async () => {
    const { registry, bump } = await setup();
    await writeFile(registry, '{ "format": 1,, }');
    const result = await bump('0.8.8');
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim()).toMatch(/^error: ports\.json: line 1, column \d+: invalid JSON: .*; fix the file \(it was not changed\)$/);
    expect(await readFile(registry, 'utf8')).toBe('{ "format": 1,, }');
  });

  it('stops on a missing reference file before writing anything', async () => {
    const { dir, registry, before, bump } = await setup();
    await rm(path.join(dir, 'quickstart.md'));
    const result = await bump('0.8.8');
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim()).toBe('error: cannot read reference file quickstart.md listed in ports.json (ENOENT); restore it or remove it from "references"');
    expect(await readFile(registry, 'utf8')).toBe(before);
  });

  it('takes the host from the configuration, and refuses a broken configuration', async () => {
    const { dir, registry, before } = await setup();
    const config = path.join(dir, 'config.json');
    await writeFile(config, JSON.stringify({ defaultHost: 'jobmon-p01' }));
    const result = await runCli(['ports', 'bump', '0.8.5', '--dry-run'], { cwd: dir, env: { JOBMON_OPS_CONFIG: config } });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('would register release-0.8.5 (http.8) on jobmon-p01 (legacy scheme: jsm-1 8456 -> 8556, db 3830 -> 3850)');
    await writeFile(config, JSON.stringify({ defaultHost: 'jobmon-p01', bogus: true }));
    const broken = await runCli(['ports', 'bump', '0.8.5'], { cwd: dir, env: { JOBMON_OPS_CONFIG: config } });
    expect(broken.exitCode).toBe(2);
    expect(broken.stderr.trim()).toBe(`error: the configuration ${config}: bogus: is not a field of the configuration; fix it or set JOBMON_OPS_CONFIG`);
    expect(await readFile(registry, 'utf8')).toBe(before);
  });

  it('reports an unreadable registry in one line', async () => {
    const { dir, bump } = await setup();
    const result = await bump('0.8.8', '--registry', dir);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim()).toMatch(/^error: cannot read .* \(EISDIR\); check the path and its permissions$/);
  });
});
