import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { formatRegistry } from '../../src/registry/format.js';
import { makeRegistryDir, runCli, SHIPPED_REGISTRY } from '../helpers/cli.js';

/**
 * The operating commands' bad input, before anything is contacted or changed:
 * an ambiguous reference lists its candidates, an unknown one names the
 * nearest, an engine that does not answer is named; each is one error line
 * with exit 2.
 */

const COMMANDS: string[][] = [['status'], ['logs'], ['start'], ['stop'], ['restart'], ['creds'], ['undeploy'], ['undeploy', '--purge-data', '--yes']];
const run = (args: string[], env: Record<string, string> = {}) => runCli(['--registry', SHIPPED_REGISTRY, ...args], { env: { DOCKER_HOST: 'tcp://127.0.0.1:1', ...env } });
const errorLines = (stderr: string) => stderr.trim().split('\n').filter((l) => l !== '');

describe('operating commands: bad references and an unreachable engine', () => {
  it.each(COMMANDS)('%s with an ambiguous port lists both releases and does nothing', async (command, ...flags) => {
    const result = await run([command!, '8356', ...flags]);
    expect(result.exitCode).toBe(2);
    expect(errorLines(result.stderr)).toEqual([expect.stringMatching(/^error: "8356" is ambiguous: release-0\.8\.1 \(http\.5\) on \S+ \(jsm-1\); release-0\.8\.2 \(http\.6\) on \S+ \(jsm-1\); name the release by its tag/)]);
  });

  it.each(COMMANDS)('%s with an unknown release names the nearest', async (command, ...flags) => {
    const result = await run([command!, 'release-0.8.9', ...flags]);
    expect(result.exitCode).toBe(2);
    expect(errorLines(result.stderr)).toEqual([expect.stringMatching(/^error: no release "release-0\.8\.9" in the registry; did you mean release-0\.8\.\d/)]);
  });

  it.each(COMMANDS)('%s with an engine that does not answer names the endpoint', async (command, ...flags) => {
    const result = await run([command!, 'release-0.8.7', ...flags]);
    expect(result.exitCode).toBe(2);
    expect(errorLines(result.stderr)).toEqual([expect.stringMatching(/^error: the Docker engine at tcp:\/\/127\.0\.0\.1:1 does not answer \(ECONNREFUSED\)/)]);
  });

  it.each(COMMANDS)('%s takes a port a client-only release shares with its server as that one stack', async (command, ...flags) => {
    const { dir, registry, cleanup } = await makeRegistryDir();
    try {
      await writeFile(registry, formatRegistry({ ...JSON.parse(await readFile(registry, 'utf8')), references: [] }));
      const bump = await runCli(['ports', 'bump', '0.8.8', '--client-only'], { cwd: dir });
      expect(bump.exitCode, bump.stderr).toBe(0);
      const result = await runCli(['--registry', registry, command!, '3870', ...flags], { env: { DOCKER_HOST: 'tcp://127.0.0.1:1' } });
      // Past the reference (not "ambiguous"), on to the engine.
      expect(result.exitCode).toBe(2);
      expect(errorLines(result.stderr)).toEqual([expect.stringMatching(/^error: the Docker engine at tcp:\/\/127\.0\.0\.1:1 does not answer/)]);
    } finally {
      await cleanup();
    }
  });

  it('status without a release names the endpoint too', async () => {
    const result = await run(['status']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^error: the Docker engine at tcp:\/\/127\.0\.0\.1:1 does not answer/m);
  });

  it.each([
    [['logs', 'release-0.8.7', 'web'], /^error: no service "web" in a Jobmon stack; the services are db, jobmon, monitor$/],
    [['restart', 'release-0.8.7', 'initdb'], /^error: no service "initdb" in a Jobmon stack/],
    [['logs', 'release-0.8.7', '--since', 'yesterday'], /^error: --since yesterday is neither a duration/],
    [['logs', 'release-0.8.7', '--tail', 'ten'], /error: option '-n, --tail <lines>' argument 'ten' is invalid/],
    [['stop', 'release-0.8.7', '--timeout', '0'], /error: option '--timeout <seconds>' argument '0' is invalid/],
    [['creds', 'emu.0'], /^error: emu\.0 has no semver tag .*never deployed by jobmon-ops/],
  ])('%j is refused with exit 2', async (args, message) => {
    const result = await run(args);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
