import { describe, expect, it } from 'vitest';
import { createProgram, type CommandName } from '../src/cli.js';

/** Parses argv with a dispatch that records instead of running. */
async function parse(argv: string[]): Promise<{ name: CommandName; options: Record<string, unknown> }> {
  let seen: { name: CommandName; options: Record<string, unknown> } | undefined;
  const program = createProgram(async (name, options) => {
    seen = { name, options };
  });
  await program.parseAsync(argv, { from: 'user' });
  if (!seen) throw new Error('no command ran');
  return seen;
}

const globals = { color: true };

describe('CLI surface: argv -> command options', () => {
  it.each<[string, string[], CommandName, Record<string, unknown>]>([
    ['list', ['ports', 'list'], 'ports list', {}],
    ['list --host --json', ['ports', 'list', '--host', 'h1', '--json'], 'ports list', { host: 'h1', json: true }],
    ['global before command', ['--registry', 'x.json', '-q', 'ports', 'list'], 'ports list', { registry: 'x.json', quiet: true }],
    ['no colour, verbose', ['ports', 'list', '--no-color', '-v'], 'ports list', { color: false, verbose: true }],
    ['show', ['ports', 'show', '3870'], 'ports show', { ref: '3870' }],
    ['show --host', ['ports', 'show', 'http.11', '--host', 'h'], 'ports show', { ref: 'http.11', host: 'h' }],
    ['bump', ['ports', 'bump', 'release-0.8.8'], 'ports bump', { release: 'release-0.8.8' }],
    [
      'bump, every flag',
      ['ports', 'bump', '0.9.0', '--host', 'h', '--client-only', '--scheme', 'semver', '--label', 'x.1', '--allow-shared-port', 'same db', '--dry-run'],
      'ports bump',
      { release: '0.9.0', host: 'h', clientOnly: true, scheme: 'semver', label: 'x.1', allowSharedPort: 'same db', dryRun: true },
    ],
    ['check', ['ports', 'check'], 'ports check', {}],
    ['check --dir', ['ports', 'check', '--dir', '/tmp/co'], 'ports check', { dir: '/tmp/co' }],
    ['render', ['ports', 'render'], 'ports render', { format: 'rst' }],
    ['render markdown', ['ports', 'render', '--format', 'markdown', '--host', 'h'], 'ports render', { format: 'markdown', host: 'h' }],
    ['import', ['ports', 'import', 'services.rst', '--dry-run'], 'ports import', { file: 'services.rst', dryRun: true }],
    ['deploy', ['deploy', 'release-0.8.7'], 'deploy', { release: 'release-0.8.7', bind: '0.0.0.0', timeout: 120 }],
    [
      'deploy, every flag',
      [
        'deploy', 'jobmon087', '--host', 'h', '--repo', '/srv/jobmon.git', '--bind', '127.0.0.1', '--base-image', 'debian:12', '--wf-channel', 'wf',
        '--node-channel', 'nodes', '--slack-token-file', '/tmp/t', '--timeout', '30', '--redeploy', '--break-lock', '--yes', '--dry-run',
        '--commit', 'abc', '--json',
      ],
      'deploy',
      {
        release: 'jobmon087', host: 'h', repo: '/srv/jobmon.git', bind: '127.0.0.1', baseImage: 'debian:12', wfChannel: 'wf', nodeChannel: 'nodes',
        slackTokenFile: '/tmp/t', timeout: 30, redeploy: true, breakLock: true, yes: true, dryRun: true, commit: 'abc', json: true,
      },
    ],
  ])('%s', async (_title, argv, name, expected) => {
    const seen = await parse(argv);
    expect(seen.name).toBe(name);
    expect(seen.options).toEqual({ ...globals, ...expected });
  });

  it('rejects a --timeout that is not a whole number of seconds', async () => {
    await expect(parse(['deploy', 'release-0.8.7', '--timeout', '1.5'])).rejects.toThrow(/must be a whole number of seconds/);
  });

  it('rejects an unknown scheme', async () => {
    await expect(parse(['ports', 'bump', '0.9.0', '--scheme', 'calver'])).rejects.toThrow(/Allowed choices are legacy, semver/);
  });
});
