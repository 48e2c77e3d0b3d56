import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Registry } from '../../src/registry/schema.js';
import { renderTables } from '../../src/registry/tables.js';
import { makeTempDir, runCli, SHIPPED_REGISTRY } from '../helpers/cli.js';

// Runs the built binary: `npx tsc -p tsconfig.build.json` (or `npm test`) first.
const shipped = JSON.parse(readFileSync(SHIPPED_REGISTRY, 'utf8')) as Registry;
const render = (...args: string[]) => runCli(['ports', 'render', '--registry', SHIPPED_REGISTRY, ...args]);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

describe('jobmon-ops ports render', () => {
  it('prints the docs\' RST tables by default', async () => {
    const result = await render();
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    expect(`${result.stdout}\n`).toBe(renderTables(shipped, { format: 'rst' }));
    expect(result.stdout).toContain('\nVersion  jqs   jsm-1  jsm-2  db    git-tag        dbs-notes\n');
    expect(result.stdout).toContain('\nemu.5    4458  4456   4457   3305  kelly-and-leo  063again\n');
  });

  it('prints Markdown with --format markdown', async () => {
    const result = await render('--format', 'markdown');
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines.slice(0, 5)).toEqual([
      'jobmon-p01',
      '',
      '| Version | jqs | jsm-1 | jsm-2 | db | git-tag | dbs-notes |',
      '|---|---|---|---|---|---|---|',
      '| emu.0 | na | 4556 | 4557 | 3307 |  |  |',
    ]);
    expect(lines).toContain('| Version | jqs | jsm-1 | jsm-2 | db | git-tag |');
  });

  it('prints one host with --host', async () => {
    const result = await render('--host', 'jobmon-docker-cont-p01');
    expect(result.exitCode).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe('jobmon-docker-cont-p01');
    expect(result.stdout).not.toContain('jobmon-p01');
  });

  it('refuses an unknown host, listing the known ones', async () => {
    const nope = await render('--host', 'nope');
    expect(nope.exitCode).toBe(2);
    expect(nope.stdout).toBe('');
    expect(nope.stderr).toBe('error: no host "nope" in the registry (known: jobmon-p01, jobmon-docker-cont-p01); pass one of those to --host');
    const typo = await render('--host', 'jobmon-p1');
    expect(typo.stderr).toMatch(/^error: no host "jobmon-p1" in the registry; did you mean jobmon-p01\?/);
  });

  it('refuses to run without a registry', async () => {
    const temp = await makeTempDir();
    cleanups.push(temp.cleanup);
    const result = await runCli(['ports', 'render'], { cwd: temp.dir, env: { JOBMON_OPS_REGISTRY: '' } });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^error: no port registry at ports\.json; /);
  });
});
