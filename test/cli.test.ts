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
        '--node-channel', 'nodes', '--slack-token-file', '/tmp/t', '--timeout', '30', '--redeploy', '--break-lock', '--purge-data', '--yes', '--dry-run',
        '--commit', 'abc', '--json', '--label', 'a=1', '--label', 'b=2', '--db-option=--skip-networking',
      ],
      'deploy',
      {
        release: 'jobmon087', host: 'h', repo: '/srv/jobmon.git', bind: '127.0.0.1', baseImage: 'debian:12', wfChannel: 'wf', nodeChannel: 'nodes',
        slackTokenFile: '/tmp/t', timeout: 30, redeploy: true, breakLock: true, purgeData: true, yes: true, dryRun: true, commit: 'abc', json: true,
        label: ['a=1', 'b=2'], dbOption: ['--skip-networking'],
      },
    ],
    ['images bootstrap', ['images', 'bootstrap'], 'images bootstrap', { suite: 'bookworm' }],
    [
      'images bootstrap, every flag',
      ['images', 'bootstrap', '--suite', 'trixie', '--tag', 'base:t', '--host', 'h', '--force', '--json'],
      'images bootstrap',
      { suite: 'trixie', tag: 'base:t', host: 'h', force: true, json: true },
    ],
    ['images list, every flag', ['images', 'list', '--host', 'h', '--json'], 'images list', { host: 'h', json: true }],
    ['dump by release', ['dump', 'release-0.8.7'], 'dump', { ref: 'release-0.8.7' }],
    ['dump by DB port', ['dump', '--port', '3870'], 'dump', { port: 3870 }],
    [
      'dump, every flag',
      ['dump', 'jobmon087', '--host', 'h', '--out', '/tmp/x.sql.gz', '--gzip', '--user', 'root', '--in-container', '--database', 'jt_x', '--json'],
      'dump',
      { ref: 'jobmon087', host: 'h', out: '/tmp/x.sql.gz', gzip: true, user: 'root', inContainer: true, database: 'jt_x', json: true },
    ],
    ['restore', ['restore', '0.9.0', 'dbs_3870_dump.sql'], 'restore', { ref: '0.9.0', file: 'dbs_3870_dump.sql' }],
    [
      'restore, every flag',
      ['restore', '3880', 'd.sql.gz', '--host', 'h', '--user', 'admin', '--yes', '--force', '--database', 'jt_y', '-q'],
      'restore',
      { ref: '3880', file: 'd.sql.gz', host: 'h', user: 'admin', yes: true, force: true, database: 'jt_y', quiet: true },
    ],
    ['status', ['status'], 'status', {}],
    ['ps alias, a release, --json', ['ps', '3870', '--json', '--host', 'h'], 'status', { ref: '3870', json: true, host: 'h' }],
    ['logs', ['logs', 'http.11'], 'logs', { ref: 'http.11' }],
    [
      'logs, every flag',
      ['logs', 'jobmon087', 'monitor', '-n', '5', '-f', '--since', '10m', '-t', '--host', 'h'],
      'logs',
      { ref: 'jobmon087', service: 'monitor', tail: 5, follow: true, since: '10m', timestamps: true, host: 'h' },
    ],
    ['logs, long flags', ['logs', '0.8.7', '--tail', '0', '--follow', '--timestamps'], 'logs', { ref: '0.8.7', tail: 0, follow: true, timestamps: true }],
    ['start', ['start', 'release-0.8.7'], 'start', { ref: 'release-0.8.7', timeout: 60 }],
    ['stop one service', ['stop', '3870', 'monitor', '--timeout', '5', '--host', 'h'], 'stop', { ref: '3870', service: 'monitor', timeout: 5, host: 'h' }],
    ['restart', ['restart', 'http.11', 'jobmon'], 'restart', { ref: 'http.11', service: 'jobmon', timeout: 60 }],
    ['creds', ['creds', '0.8.7'], 'creds', { ref: '0.8.7' }],
    ['creds, every flag', ['creds', '0.8.7', '--user', 'read_only', '--show', '--json', '--host', 'h'], 'creds', { ref: '0.8.7', user: 'read_only', show: true, json: true, host: 'h' }],
    ['undeploy', ['undeploy', 'release-0.8.7'], 'undeploy', { ref: 'release-0.8.7', timeout: 60 }],
    [
      'undeploy, every flag',
      ['undeploy', 'jobmon087', '--purge-data', '--yes', '--timeout', '30', '--host', 'h'],
      'undeploy',
      { ref: 'jobmon087', purgeData: true, yes: true, timeout: 30, host: 'h' },
    ],
  ])('%s', async (_title, argv, name, expected) => {
    const seen = await parse(argv);
    expect(seen.name).toBe(name);
    expect(seen.options).toEqual({ ...globals, ...expected });
  });

  it('rejects a --timeout that is not a whole number of seconds', async () => {
    await expect(parse(['deploy', 'release-0.8.7', '--timeout', '1.5'])).rejects.toThrow(/must be a whole number of seconds/);
  });

  it('rejects a --port that is not a port number', async () => {
    await expect(parse(['dump', '--port', '70000'])).rejects.toThrow(/must be a port number \(1-65535\)/);
    await expect(parse(['dump', '--port', 'db'])).rejects.toThrow(/must be a port number/);
  });

  it('restore needs a release and a file', async () => {
    await expect(parse(['restore', '0.9.0'])).rejects.toThrow(/missing required argument 'file'/);
  });

  it('rejects a --tail that is not a whole number, and a stop --timeout of 0', async () => {
    await expect(parse(['logs', 'release-0.8.7', '-n', '-1'])).rejects.toThrow();
    await expect(parse(['logs', 'release-0.8.7', '--tail', '2.5'])).rejects.toThrow(/must be a whole number, 0 or more/);
    await expect(parse(['stop', 'release-0.8.7', '--timeout', '0'])).rejects.toThrow(/must be a whole number of seconds/);
  });

  it('rejects an unknown scheme', async () => {
    await expect(parse(['ports', 'bump', '0.9.0', '--scheme', 'calver'])).rejects.toThrow(/Allowed choices are legacy, semver/);
  });
});
