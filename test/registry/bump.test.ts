import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { nextLabel, planBump } from '../../src/registry/bump.js';
import { shippedRegistry, smallRegistry } from './fixtures.js';

describe('nextLabel', () => {
  it.each([
    ['http.11', 'http.12'],
    ['http', 'http.2'],
    ['emu.9', 'emu.10'],
  ])('%s -> %s', (label, next) => expect(nextLabel(label)).toBe(next));
});

describe('planBump', () => {
  it('registers 0.8.8 after 0.8.7 with legacy ports and lists the replaced ports', () => {
    const plan = planBump(shippedRegistry(), { release: 'release-0.8.8', host: 'jobmon-docker-cont-p01' });
    expect(plan.release).toEqual({ label: 'http.12', tag: 'release-0.8.8', jsm1: 8856, db: 3880 });
    expect(plan.scheme).toBe('legacy');
    expect(plan.portChanges).toEqual([
      { field: 'jsm1', from: 8756, to: 8856 },
      { field: 'db', from: 3870, to: 3880 },
    ]);
    expect(plan.registry.hosts['jobmon-docker-cont-p01']!.releases.at(-1)).toEqual(plan.release);
  });

  it('does not touch the registry it was given', () => {
    const registry = shippedRegistry();
    planBump(registry, { release: '0.8.8', host: 'jobmon-docker-cont-p01' });
    expect(registry).toEqual(shippedRegistry());
  });

  it('switches to the semver scheme at 1.0.0', () => {
    const plan = planBump(smallRegistry(), { release: '1.0.12', host: 'a' });
    expect(plan.release).toEqual({ label: 'http.12', tag: 'release-1.0.12', jqs: 10121, jsm1: 10122, db: 10120, viz: 10123 });
    expect(plan.scheme).toBe('semver');
  });

  it('honours an explicit scheme and label', () => {
    const plan = planBump(smallRegistry(), { release: '0.9.0', host: 'a', scheme: 'semver', label: 'nine' });
    expect(plan.release).toMatchObject({ label: 'nine', db: 9000, jqs: 9001, jsm1: 9002 });
  });

  it('keeps the server ports for a client-only release and names its server', () => {
    const first = planBump(smallRegistry(), { release: '0.9.0', host: 'a', clientOnly: true });
    expect(first.release).toEqual({ label: 'http.12', tag: 'release-0.9.0', jsm1: 8756, db: 3870, server: 'release-0.8.7' });
    expect(first.portChanges).toEqual([]);
    // a client-only release after a client-only release still points at the real server
    const second = planBump(first.registry, { release: '0.9.1', host: 'a', clientOnly: true });
    expect(second.release.server).toBe('release-0.8.7');
  });

  it('refuses a port another release uses, naming it, unless a reason is given', () => {
    const registry = smallRegistry();
    registry.hosts.a!.releases.unshift({ label: 'old', tag: 'old-tag', db: 3880 });
    expect(() => planBump(registry, { release: '0.8.8', host: 'a' })).toThrow(
      'port 3880 (db) of 0.8.8 is already used by old-tag (old) on a; bump to another version, or pass --allow-shared-port "<reason>"',
    );
    const plan = planBump(registry, { release: '0.8.8', host: 'a', allowSharedPort: 'reuses the old database' });
    expect(plan.release.sharedPorts).toEqual({ 3880: 'reuses the old database' });
  });

  it.each([
    ['foo', /"foo" is not a release version; give one like release-0.8.8/],
    ['0.8.8-rc.1', /not a release version/],
    ['0.8.7', /0\.8\.7 is not newer than release-0\.8\.7, the newest release on a; bump to a version above 0\.8\.7/],
    ['0.8.6', /not newer than release-0\.8\.7/],
    ['0.8.10', /patch 10 is over 9/],
  ])('refuses %s', (release, message) => {
    expect(() => planBump(smallRegistry(), { release, host: 'a' })).toThrow(UsageError);
    expect(() => planBump(smallRegistry(), { release, host: 'a' })).toThrow(message);
  });

  it('refuses an unknown host, suggesting the nearest', () => {
    expect(() => planBump(shippedRegistry(), { release: '0.8.8', host: 'jobmon-p1' })).toThrow(
      /no host "jobmon-p1" in the registry; did you mean jobmon-p01\?/,
    );
  });

  it('refuses a label already used on the host', () => {
    expect(() => planBump(smallRegistry(), { release: '0.8.8', host: 'a', label: 'http.10' })).toThrow(/label http\.10 is already used on a/);
  });
});
