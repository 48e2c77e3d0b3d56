import parse from 'semver/functions/parse.js';
import { UsageError } from '../errors.js';
import type { Release } from './schema.js';

export type SchemeName = 'legacy' | 'semver';

/** The ports a scheme gives a new release (the fields of a release row). */
export type SchemePorts = Pick<Release, 'jqs' | 'jsm1' | 'db' | 'viz'> & { db: number; jsm1: number };

/** `legacy` below 1.0.0 (the docs' table follows it since 0.8.0), `semver` from 1.0.0. */
export function defaultScheme(version: string): SchemeName {
  return parse(version)!.major < 1 ? 'legacy' : 'semver';
}

function refuse(version: string, scheme: SchemeName, why: string): never {
  throw new UsageError(`the ${scheme} port scheme cannot express ${version}: ${why}`);
}

/**
 * legacy: db = 3000 + 100*minor + 10*patch, JSM = 1000*minor + 100*patch + 56
 * (0.9.3 -> 3930 and 9356). Minor and patch stop at 9: 0.8.10 would collide
 * with 0.9.0.
 */
function legacyPorts(version: string): SchemePorts {
  const { major, minor, patch } = parse(version)!;
  if (major !== 0) refuse(version, 'legacy', 'it has no room for a major version; use --scheme semver');
  if (minor > 9) refuse(version, 'legacy', `minor ${minor} is over 9 (its ports would collide with other releases); use --scheme semver`);
  if (patch > 9) refuse(version, 'legacy', `patch ${patch} is over 9 (0.${minor}.${patch} would collide with 0.${minor + 1}.${patch - 10}); release 0.${minor + 1}.0 instead or use --scheme semver`);
  return { db: 3000 + 100 * minor + 10 * patch, jsm1: 1000 * minor + 100 * patch + 56 };
}

/**
 * semver: five digits ABCDE, A = major, B = minor, CD = patch, E = service
 * (0 database, 1 JQS, 2 JSM, 3 visualization): 1.0.12 -> 10120..10123.
 */
function semverPorts(version: string): SchemePorts {
  const { major, minor, patch } = parse(version)!;
  if (minor > 9) refuse(version, 'semver', `minor ${minor} is over 9 (one digit)`);
  if (patch > 99) refuse(version, 'semver', `patch ${patch} is over 99 (two digits)`);
  const base = major * 10000 + minor * 1000 + patch * 10;
  return { db: base, jqs: base + 1, jsm1: base + 2, viz: base + 3 };
}

/** The ports of a new release under a scheme; refuses what the scheme cannot express or a port outside 1024-65535. */
export function computePorts(version: string, scheme: SchemeName = defaultScheme(version)): SchemePorts {
  const ports = scheme === 'legacy' ? legacyPorts(version) : semverPorts(version);
  for (const port of Object.values(ports)) {
    if (typeof port !== 'number') continue;
    if (port > 65535) refuse(version, scheme, `port ${port} is above 65535`);
    if (port < 1024) refuse(version, scheme, `port ${port} is below 1024 (privileged)`);
  }
  return ports;
}
