import { describe, expect, it } from 'vitest';
import { connectEngine, dockerOptions, engineUrl, ensureEngineReachable, parseEndpoint } from '../../src/deploy/engine.js';
import { UsageError } from '../../src/errors.js';
import { runCli } from '../helpers/cli.js';

describe('engine endpoints (pure)', () => {
  it.each([
    ['unix:///var/run/docker.sock', { kind: 'unix', socketPath: '/var/run/docker.sock' }],
    ['tcp://10.0.0.5:2375', { kind: 'tcp', host: '10.0.0.5', port: 2375, tls: false }],
    ['tcp://docker-host', { kind: 'tcp', host: 'docker-host', port: 2375, tls: false }],
    ['ssh://svcscicompci@jobmon-docker-cont-p01', { kind: 'ssh', host: 'jobmon-docker-cont-p01', port: 22, username: 'svcscicompci' }],
    ['ssh://h:2222', { kind: 'ssh', host: 'h', port: 2222 }],
  ])('%s', (url, expected) => {
    expect(parseEndpoint(url)).toEqual({ url, ...expected });
  });

  it('tcp with DOCKER_TLS_VERIFY speaks TLS on 2376 by default', () => {
    expect(parseEndpoint('tcp://h', { DOCKER_TLS_VERIFY: '1' })).toMatchObject({ port: 2376, tls: true });
  });

  it.each([
    ['unix://relative.sock', 'a unix socket needs an absolute path'],
    ['http://h:2375', 'unsupported scheme http'],
    ['npipe:////./pipe/docker_engine', 'unsupported scheme npipe'],
    ['/var/run/docker.sock', 'not a URL'],
  ])('refuses %s', (url, why) => {
    expect(() => parseEndpoint(url)).toThrow(new UsageError(`cannot use the Docker engine endpoint "${url}": ${why}; use unix:///var/run/docker.sock, tcp://HOST:PORT or ssh://USER@HOST`));
  });

  it('the host\'s configured engine wins over DOCKER_HOST, which wins over the default socket', () => {
    const config = { hosts: { p01: { engine: 'ssh://u@p01' }, p02: { address: 'p02.example.org' } } };
    expect(engineUrl({ env: { DOCKER_HOST: 'tcp://x:1' }, config, host: 'p01' })).toBe('ssh://u@p01');
    expect(engineUrl({ env: { DOCKER_HOST: 'tcp://x:1' }, config, host: 'p02' })).toBe('tcp://x:1');
    expect(engineUrl({ env: {}, config, host: 'p02' })).toBe('unix:///var/run/docker.sock');
    expect(engineUrl({ env: { DOCKER_HOST: '' }, config: { hosts: {} } })).toBe('unix:///var/run/docker.sock');
  });

  it('spells out every connection option, so the process\'s DOCKER_HOST cannot leak in', () => {
    expect(dockerOptions(parseEndpoint('unix:///s.sock'), {})).toMatchObject({ socketPath: '/s.sock', host: undefined, port: undefined });
    expect(dockerOptions(parseEndpoint('ssh://u@h'), { SSH_AUTH_SOCK: '/agent' })).toMatchObject({
      protocol: 'ssh', host: 'h', port: 22, username: 'u', sshOptions: { agent: '/agent' }, socketPath: undefined,
    });
  });
});

describe('an unreachable engine', () => {
  it.each(['unix:///nonexistent.sock', 'tcp://127.0.0.1:1'])('%s: a one-line UsageError naming it', async (url) => {
    const { docker, endpoint } = connectEngine({ env: { DOCKER_HOST: url }, config: { hosts: {} } });
    const error = await ensureEngineReachable(docker, endpoint).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    expect((error as UsageError).message).toMatch(new RegExp(`^the Docker engine at ${url.replace(/[/.]/g, '\\$&')} does not answer \\((ENOENT|ECONNREFUSED)\\); `));
    expect((error as UsageError).message).not.toContain('\n');
  });

  it('the CLI says so in one line and exits 2', async () => {
    const result = await runCli(['images', 'bootstrap'], { env: { DOCKER_HOST: 'unix:///nonexistent.sock' } });
    expect(result.exitCode, result.stderr).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: the Docker engine at unix:\/\/\/nonexistent\.sock does not answer \(ENOENT\); start it/)]);
  });
});
