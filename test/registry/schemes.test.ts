import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { computePorts, defaultScheme } from '../../src/registry/schemes.js';

describe('port schemes', () => {
  it('picks legacy below 1.0.0 and semver from 1.0.0', () => {
    expect(defaultScheme('0.9.9')).toBe('legacy');
    expect(defaultScheme('1.0.0')).toBe('semver');
  });

  it.each([
    ['0.8.0', { db: 3800, jsm1: 8056 }],
    ['0.8.7', { db: 3870, jsm1: 8756 }],
    ['0.8.8', { db: 3880, jsm1: 8856 }],
    ['0.9.0', { db: 3900, jsm1: 9056 }],
    ['0.9.9', { db: 3990, jsm1: 9956 }],
  ])('legacy %s', (version, ports) => {
    expect(computePorts(version)).toEqual(ports);
  });

  it.each([
    ['1.0.12', { db: 10120, jqs: 10121, jsm1: 10122, viz: 10123 }],
    ['1.0.0', { db: 10000, jqs: 10001, jsm1: 10002, viz: 10003 }],
    ['2.3.45', { db: 23450, jqs: 23451, jsm1: 23452, viz: 23453 }],
    ['6.5.35', { db: 65350, jqs: 65351, jsm1: 65352, viz: 65353 }],
  ])('semver %s', (version, ports) => {
    expect(computePorts(version)).toEqual(ports);
  });

  it.each([
    ['0.8.10', 'legacy', /patch 10 is over 9 .*collide with 0\.9\.0/],
    ['0.10.0', 'legacy', /minor 10 is over 9/],
    ['1.2.3', 'legacy', /no room for a major version/],
    ['0.0.1', 'legacy', /below 1024/],
    ['1.10.0', 'semver', /minor 10 is over 9/],
    ['1.0.100', 'semver', /patch 100 is over 99/],
    ['6.5.54', 'semver', /port 65540 is above 65535/],
    ['7.0.0', 'semver', /port 70000 is above 65535/],
  ] as const)('refuses %s under %s', (version, scheme, message) => {
    expect(() => computePorts(version, scheme)).toThrow(UsageError);
    expect(() => computePorts(version, scheme)).toThrow(message);
  });
});
