import { describe, expect, it } from 'vitest';
import { clientAddress, knownDbPorts, resolveDbTarget } from '../../src/dump/target.js';
import type { Registry } from '../../src/registry/schema.js';
import { shippedRegistry, smallRegistry } from '../registry/fixtures.js';

function withAlias(): Registry {
  const registry = smallRegistry();
  registry.hosts.a!.releases.push({ label: 'http.12', tag: 'release-0.8.8', jsm1: 8756, db: 3870, server: 'release-0.8.7' });
  registry.hosts.b = { releases: [{ label: 'x.1', tag: 'release-0.9.0', jsm1: 9000, db: 3860, sharedPorts: { 3860: 'other host' } }] };
  return registry;
}

describe('resolveDbTarget', () => {
  it('a release by any reference, or by its DB port, with its version and compose project', () => {
    const expected = { port: 3870, version: '0.8.7', project: 'jobmon087', release: expect.objectContaining({ host: 'jobmon-docker-cont-p01', release: expect.objectContaining({ tag: 'release-0.8.7' }) }) };
    for (const ref of ['release-0.8.7', '0.8.7', 'http.11', 'jobmon087', '8756']) expect(resolveDbTarget(shippedRegistry(), { ref })).toEqual(expected);
    expect(resolveDbTarget(shippedRegistry(), { port: 3870 })).toEqual(expected);
  });

  it('an alias (client-only release) stands for its server release; named by port it is just that release', () => {
    const byName = resolveDbTarget(withAlias(), { ref: 'release-0.8.8' });
    expect(byName.release.release.tag).toBe('release-0.8.7');
    expect(byName.aliasOf?.release.tag).toBe('release-0.8.8');
    const byPort = resolveDbTarget(withAlias(), { port: 3870 });
    expect(byPort.release.release.tag).toBe('release-0.8.7');
    expect(byPort.aliasOf).toBeUndefined();
  });

  it('an unknown port lists the known DB ports; a port of another kind says whose it is; a shared one asks for --host', () => {
    expect(() => resolveDbTarget(withAlias(), { port: 9999 })).toThrow('no release has DB port 9999 in the registry; the known DB ports are a: 3860, 3870; b: 3860');
    expect(() => resolveDbTarget(withAlias(), { port: 9999, host: 'b' })).toThrow('no release has DB port 9999 on b in the registry; the known DB ports are b: 3860');
    expect(() => resolveDbTarget(withAlias(), { port: 8656 })).toThrow('(8656 is the jsm-1 port of release-0.8.6 (http.10) on a)');
    expect(() => resolveDbTarget(withAlias(), { port: 3860 })).toThrow('DB port 3860 is ambiguous: release-0.8.6 (http.10) on a; release-0.9.0 (x.1) on b; pass --host');
    expect(resolveDbTarget(withAlias(), { port: 3860, host: 'b' }).release.release.tag).toBe('release-0.9.0');
  });

  it('needs exactly one of a release and --port', () => {
    expect(() => resolveDbTarget(smallRegistry(), {})).toThrow('name the database: jobmon-ops dump <release>, or jobmon-ops dump --port <db-port>');
    expect(() => resolveDbTarget(smallRegistry(), { ref: '0.8.7', port: 3870 })).toThrow('not both');
  });

  it('lists the DB ports of the shipped registry by host', () => {
    expect(knownDbPorts(shippedRegistry(), 'jobmon-docker-cont-p01')).toMatch(/^jobmon-docker-cont-p01: (\d+, )+3870$/);
  });
});

describe('clientAddress (decisions.md 28)', () => {
  it("the host's configured address, else a remote engine's host, else 127.0.0.1", () => {
    const config = { hosts: { h: { address: 'db.example.org' }, r: { engine: 'ssh://ops@docker-p01:2222' } } };
    expect(clientAddress(config, 'h', {})).toBe('db.example.org');
    expect(clientAddress(config, 'r', {})).toBe('docker-p01');
    expect(clientAddress(config, 'x', {})).toBe('127.0.0.1');
    expect(clientAddress(config, 'x', { DOCKER_HOST: 'tcp://10.0.0.5:2375' })).toBe('10.0.0.5');
    expect(clientAddress(config, 'x', { DOCKER_HOST: 'tcp://localhost:2375' })).toBe('127.0.0.1');
  });
});
