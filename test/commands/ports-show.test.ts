import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { expectJsonOutput } from '../fixtures/json-schemas.js';

describe('jobmon-ops ports show', () => {
  it('finds a release by DB port, with its port mappings', async () => {
    const result = await runCli(['ports', 'show', '3870']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('3870 is the db port of release-0.8.7 (http.11) on jobmon-docker-cont-p01');
    expect(result.stdout).toContain('ports     jsm-1 8756:80, db 3870:3306');
    expect(result.stdout).toContain('version   0.8.7 (compose project jobmon087)');
  });

  it.each(['release-0.8.7', '0.8.7', 'http.11', 'jobmon087', '8756'])('finds release-0.8.7 by %s (JSON)', async (ref) => {
    const result = await runCli(['ports', 'show', ref, '--json']);
    expect(result.exitCode).toBe(0);
    const views = expectJsonOutput('ports show', result.stdout).releases;
    expect(views).toHaveLength(1);
    expect(views[0]).toMatchObject({ host: 'jobmon-docker-cont-p01', tag: 'release-0.8.7', label: 'http.11', version: '0.8.7', project: 'jobmon087' });
    expect(views[0].ports).toEqual([
      { name: 'jsm-1', field: 'jsm1', external: 8756, internal: 80 },
      { name: 'db', field: 'db', external: 3870, internal: 3306 },
    ]);
  });

  it('lists every release of a shared port, with hosts and the recorded reason', async () => {
    const result = await runCli(['ports', 'show', '8356']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('8356 is the jsm-1 port of release-0.8.1 (http.5) on jobmon-p01');
    expect(result.stdout).toContain('8356 is the jsm-1 port of release-0.8.2 (http.6) on jobmon-p01');
    expect(result.stdout).toContain('shares    8356 (historic)');
  });

  it('suggests the nearest release for an unknown one: one line, exit 2', async () => {
    const result = await runCli(['ports', 'show', 'release-0.8.9']);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([
      'error: no release "release-0.8.9" in the registry; did you mean release-0.8.7, release-0.8.6, release-0.8.5? see jobmon-ops ports list',
    ]);
  });

  it('an unknown --host is named as such (exit 2), not taken for an unknown release', async () => {
    const result = await runCli(['ports', 'show', 'release-0.8.7', '--host', 'nosuch']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim()).toBe('error: no host "nosuch" in the registry (known: jobmon-p01, jobmon-docker-cont-p01); pass one of those to --host');
  });

  it('exits 2 on a missing argument', async () => {
    const result = await runCli(['ports', 'show']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("missing required argument 'ref'");
  });
});
