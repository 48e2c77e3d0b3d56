import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { planBump } from '../../src/registry/bump.js';
import { findReleases, resolveRelease, resolveServerRelease, serverReleaseOf } from '../../src/registry/resolve.js';
import { shippedRegistry } from './fixtures.js';

const registry = shippedRegistry();
const tags = (ref: string) => findReleases(registry, ref).map((m) => m.release.tag ?? m.release.label);

describe('findReleases', () => {
  it.each([
    ['release-0.8.7', ['release-0.8.7']],
    ['0.8.7', ['release-0.8.7']],
    ['http.11', ['release-0.8.7']],
    ['jobmon087', ['release-0.8.7']],
    ['3870', ['release-0.8.7']],
    ['8756', ['release-0.8.7']],
    ['0.6.0', ['0.6.0']],
    ['release-0.6.0', ['0.6.0']],
    ['kelly-and-leo', ['kelly-and-leo']],
    ['emu.3', ['emu.3', '0.6.0']],
    ['8356', ['release-0.8.1', 'release-0.8.2']],
    ['6258', ['0.7.0', 'release-0.7.1']],
    ['38700', []],
    ['1234', []],
  ])('%s', (ref, expected) => expect(tags(ref)).toEqual(expected));

  it('says which port matched', () => {
    expect(findReleases(registry, '3870')[0]).toMatchObject({ kind: 'port', field: 'db', host: 'jobmon-docker-cont-p01' });
  });

  it('filters by host', () => {
    expect(findReleases(registry, '8356', { host: 'jobmon-docker-cont-p01' })).toEqual([]);
  });
});

describe('resolveRelease', () => {
  it('returns the one release a reference names', () => {
    expect(resolveRelease(registry, 'jobmon086').release.tag).toBe('release-0.8.6');
  });

  it('lists the candidates of an ambiguous reference', () => {
    expect(() => resolveRelease(registry, '8356')).toThrow(
      '"8356" is ambiguous: release-0.8.1 (http.5) on jobmon-p01 (jsm-1); release-0.8.2 (http.6) on jobmon-p01 (jsm-1); name the release by its tag, or pass --host',
    );
  });

  it('suggests the nearest names for an unknown one', () => {
    expect(() => resolveRelease(registry, 'release-0.8.9')).toThrow(UsageError);
    expect(() => resolveRelease(registry, 'release-0.8.9')).toThrow(
      'no release "release-0.8.9" in the registry; did you mean release-0.8.7, release-0.8.6, release-0.8.5? see jobmon-ops ports list',
    );
  });
});

describe('serverReleaseOf', () => {
  it('follows a client-only release to its server release and keeps the alias; others stay as they are', () => {
    const withAlias = shippedRegistry();
    withAlias.hosts['jobmon-docker-cont-p01']!.releases.push({ label: 'http.12', tag: 'release-0.8.8', jsm1: 8756, db: 3870, server: 'release-0.8.7' });
    const alias = resolveRelease(withAlias, 'release-0.8.8');
    const followed = serverReleaseOf(withAlias, alias);
    expect(followed.release.release.tag).toBe('release-0.8.7');
    expect(followed.aliasOf?.release.tag).toBe('release-0.8.8');
    const plain = resolveRelease(withAlias, 'release-0.8.6');
    expect(serverReleaseOf(withAlias, plain)).toEqual({ release: plain });
  });

  it('refuses an alias whose server is not on its host', () => {
    const broken = shippedRegistry();
    broken.hosts['jobmon-docker-cont-p01']!.releases.push({ label: 'http.12', tag: 'release-0.8.8', jsm1: 8756, db: 3870, server: 'release-0.7.0' });
    expect(() => serverReleaseOf(broken, resolveRelease(broken, 'release-0.8.8'))).toThrow(
      'release-0.8.8 is client-only, but its server release release-0.7.0 is not on jobmon-docker-cont-p01; fix ports.json',
    );
  });
});

describe('resolveServerRelease', () => {
  // What `ports bump 0.8.8 --client-only` writes: a row sharing 0.8.7's ports, served by it.
  const withAlias = planBump(shippedRegistry(), { release: 'release-0.8.8', host: 'jobmon-docker-cont-p01', clientOnly: true }).registry;
  const tag = (r: { release: { release: { tag?: string } }; aliasOf?: { release: { tag?: string } } }) => [r.release.release.tag, r.aliasOf?.release.tag];

  it('takes a port the alias and its server share as the one stack it is, with no alias note', () => {
    expect(() => resolveRelease(withAlias, '3870')).toThrow(/is ambiguous/); // the rows are two
    expect(tag(resolveServerRelease(withAlias, '3870'))).toEqual(['release-0.8.7', undefined]);
    expect(tag(resolveServerRelease(withAlias, '8756'))).toEqual(['release-0.8.7', undefined]);
  });

  it('keeps the alias when only the client-only release was named', () => {
    expect(tag(resolveServerRelease(withAlias, 'release-0.8.8'))).toEqual(['release-0.8.7', 'release-0.8.8']);
    expect(tag(resolveServerRelease(withAlias, 'http.12'))).toEqual(['release-0.8.7', 'release-0.8.8']);
  });

  it('is still ambiguous for two stacks, and unknown for nothing', () => {
    expect(() => resolveServerRelease(withAlias, '8356')).toThrow(/^"8356" is ambiguous: release-0\.8\.1/);
    expect(() => resolveServerRelease(withAlias, '38700')).toThrow(/^no release "38700"/);
  });
});
