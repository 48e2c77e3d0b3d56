import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatRegistry } from '../../src/registry/format.js';
import type { Registry } from '../../src/registry/schema.js';
import { makeRegistryDir, makeTempDir, runCli, SEED_PAGE, SHIPPED_REGISTRY } from '../helpers/cli.js';

// Runs the built binary: `npx tsc -p tsconfig.build.json` (or `npm test`) first.
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function tempDir() {
  const temp = await makeTempDir();
  cleanups.push(temp.cleanup);
  return temp.dir;
}

async function registryCopy() {
  const temp = await makeRegistryDir();
  cleanups.push(temp.cleanup);
  return temp;
}

const readJson = async (file: string) => JSON.parse(await readFile(file, 'utf8')) as Registry;

describe('jobmon-ops ports import', () => {
  it('creates the shipped registry from the seed page (references and history aside)', async () => {
    const dir = await tempDir();
    const registry = path.join(dir, 'ports.json');
    const result = await runCli(['ports', 'import', SEED_PAGE, '--registry', registry], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout.split('\n')).toEqual(['jobmon-p01: 16 releases', 'jobmon-docker-cont-p01: 4 releases', 'wrote ports.json']);

    const shipped = await readJson(SHIPPED_REGISTRY);
    const created = await readJson(registry);
    expect(created.hosts).toStrictEqual(shipped.hosts);
    expect(created.internalPorts).toStrictEqual(shipped.internalPorts);
    expect(await readFile(registry, 'utf8')).toBe(formatRegistry({ ...shipped, references: [], history: [] }));
  });

  it.each(['rst', 'markdown'])('leaves a registry byte for byte unchanged when importing its own %s tables', async (format) => {
    const { dir, registry } = await registryCopy();
    const rendered = await runCli(['ports', 'render', '--format', format, '--registry', registry], { cwd: dir });
    expect(rendered.exitCode).toBe(0);
    const tables = path.join(dir, `tables.${format}`);
    await writeFile(tables, rendered.stdout);

    const result = await runCli(['ports', 'import', tables, '--registry', registry], { cwd: dir });
    expect(result.exitCode).toBe(0);
    expect(await readFile(registry, 'utf8')).toBe(await readFile(SHIPPED_REGISTRY, 'utf8'));
  });

  it('replaces only the hosts the file has tables for', async () => {
    const { dir, registry } = await registryCopy();
    const tables = path.join(dir, 'cont.md');
    await writeFile(tables, '# jobmon-docker-cont-p01\n\n| Version | jsm-1 | db | git-tag |\n|---|---|---|---|\n| http.12 | 8856 | 3880 | release-0.8.8 |\n');
    const result = await runCli(['ports', 'import', tables, '--registry', registry], { cwd: dir });
    expect(result.stdout.split('\n')).toEqual(['jobmon-docker-cont-p01: 1 release', 'wrote ports.json']);
    const shipped = await readJson(SHIPPED_REGISTRY);
    const after = await readJson(registry);
    expect(after.hosts['jobmon-p01']).toStrictEqual(shipped.hosts['jobmon-p01']);
    expect(after.hosts['jobmon-docker-cont-p01']!.releases).toStrictEqual([{ label: 'http.12', tag: 'release-0.8.8', jsm1: 8856, db: 3880 }]);
    expect(after.references).toStrictEqual(shipped.references);
  });

  it('prints the result and writes nothing with --dry-run', async () => {
    const dir = await tempDir();
    const result = await runCli(['ports', 'import', SEED_PAGE, '--dry-run', '--registry', 'ports.json'], { cwd: dir });
    expect(result.exitCode).toBe(0);
    const shipped = await readJson(SHIPPED_REGISTRY);
    expect(`${result.stdout}\n`).toBe(formatRegistry({ ...shipped, references: [], history: [] }));
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses a malformed table with one line naming it, and changes nothing', async () => {
    const { dir, registry } = await registryCopy();
    const tables = path.join(dir, 'bad.rst');
    await writeFile(tables, 'jobmon-p01\n========  ====\nVersion   db\n========  ====\nhttp.12   38o0\n========  ====\n');
    const result = await runCli(['ports', 'import', tables, '--registry', registry], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe('error: line 5: the db cell "38o0" mixes digits and other characters; write a port number, or text such as n/a; fix the table and import again');
    expect(await readFile(registry, 'utf8')).toBe(await readFile(SHIPPED_REGISTRY, 'utf8'));
  });

  it('refuses tables that break a registry rule, naming the table line', async () => {
    const { dir, registry } = await registryCopy();
    const tables = path.join(dir, 'dup.md');
    await writeFile(tables, 'lab\n\n| Version | db | git-tag |\n|---|---|---|\n| a | 3800 | t1 |\n| b | 3801 | t1 |\n');
    const result = await runCli(['ports', 'import', tables, '--registry', registry], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr.split('\n')[0]).toMatch(/^error: .*first: line 6: hosts\.lab\.releases\[1\]\.tag: t1 is also the tag .*fix the table and import again/);
    expect(existsSync(registry) && (await readFile(registry, 'utf8'))).toBe(await readFile(SHIPPED_REGISTRY, 'utf8'));
  });

  it('never rewrites an invalid registry', async () => {
    const dir = await tempDir();
    const registry = path.join(dir, 'ports.json');
    await writeFile(registry, '{ "format": 1, broken');
    const result = await runCli(['ports', 'import', SEED_PAGE, '--registry', registry], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^error: ports\.json: line 1, column \d+: invalid JSON/);
    expect(result.stderr.split('\n')).toHaveLength(1);
    expect(await readFile(registry, 'utf8')).toBe('{ "format": 1, broken');
  });

  it('says which file it cannot read, and what tables it expects', async () => {
    const dir = await tempDir();
    const missing = await runCli(['ports', 'import', 'nope.rst', '--registry', 'ports.json'], { cwd: dir });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toBe('error: cannot read nope.rst (ENOENT); pass the file that holds the port tables (RST or Markdown)');
    await writeFile(path.join(dir, 'prose.md'), '# Notes\n\nNo tables here.\n');
    const empty = await runCli(['ports', 'import', 'prose.md', '--registry', 'ports.json'], { cwd: dir });
    expect(empty.exitCode).toBe(2);
    expect(empty.stderr).toMatch(/^error: no port tables in prose\.md/);
    expect(await readdir(dir)).toEqual(['prose.md']);
  });
});
