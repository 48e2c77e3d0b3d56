import gt from 'semver/functions/gt.js';
import prerelease from 'semver/functions/prerelease.js';
import { UsageError } from '../errors.js';
import { assertKnownHost, describeMatch } from './resolve.js';
import { displayName, newestRelease, numericPorts, versionOf, type ReleaseRef } from './release.js';
import { registryProblems } from './parse.js';
import { computePorts, defaultScheme, type SchemeName } from './schemes.js';
import { PORT_COLUMN, PORT_FIELDS, formatProblem, type PortField, type Registry, type Release } from './schema.js';

export interface BumpOptions {
  /** `release-X.Y.Z` or `X.Y.Z`. */
  release: string;
  host: string;
  clientOnly?: boolean;
  scheme?: SchemeName;
  label?: string;
  /** Allow ports that another release of the host uses, recording this reason. */
  allowSharedPort?: string;
}

/** One port of the previous release that the new release replaces. */
export interface PortChange {
  field: PortField;
  from: number;
  to: number;
}

export interface BumpPlan {
  host: string;
  version: string;
  release: Release;
  previous: ReleaseRef;
  /** The scheme that computed the ports, or `client-only` when they were kept. */
  scheme: SchemeName | 'client-only';
  portChanges: PortChange[];
  registry: Registry;
}

/** The next label: a trailing number counted up (`http.11` -> `http.12`, `http` -> `http.2`). */
export function nextLabel(label: string): string {
  const match = /^(.*?)(\d+)$/.exec(label);
  return match ? `${match[1]}${Number(match[2]) + 1}` : `${label}.2`;
}

function hostEntry(registry: Registry, host: string) {
  assertKnownHost(registry, host);
  return registry.hosts[host]!;
}

/** Ports of the new row; on a collision, refuses or records the reason. */
function assignPorts(registry: Registry, options: BumpOptions, version: string, scheme: SchemeName): Omit<Release, 'label' | 'tag'> {
  const row: Omit<Release, 'label' | 'tag'> = { ...computePorts(version, scheme) };
  const others = registry.hosts[options.host]!.releases.map((release, index) => ({ host: options.host, index, release }));
  for (const { field, port } of numericPorts(row)) {
    const users = others.filter((ref) => numericPorts(ref.release).some((p) => p.port === port));
    if (users.length === 0) continue;
    if (options.allowSharedPort === undefined) {
      throw new UsageError(
        `port ${port} (${PORT_COLUMN[field]}) of ${version} is already used by ${users.map(describeMatch).join(', ')}; ` +
          `bump to another version, or pass --allow-shared-port "<reason>"`,
      );
    }
    row.sharedPorts = { ...row.sharedPorts, [String(port)]: options.allowSharedPort };
  }
  return row;
}

/**
 * Plans the registration of the next release on a host: validates the
 * version, computes its ports (or keeps the server's for a client-only
 * release), and returns the new registry. Pure: writes nothing.
 */
export function planBump(registry: Registry, options: BumpOptions): BumpPlan {
  const version = versionOf(options.release);
  if (!version || prerelease(version)) {
    throw new UsageError(`"${options.release}" is not a release version; give one like release-0.8.8 or 0.8.8 (semver X.Y.Z)`);
  }
  const entry = hostEntry(registry, options.host);
  const refs = entry.releases.map((release, index) => ({ host: options.host, index, release }));
  const previous = newestRelease(refs);
  if (!previous) throw new UsageError(`host ${options.host} has no release with a semver tag to bump from; add one with jobmon-ops ports import`);
  const previousVersion = versionOf(previous.release.tag)!;
  if (!gt(version, previousVersion)) {
    throw new UsageError(
      `${version} is not newer than ${displayName(previous.release)}, the newest release on ${options.host}; bump to a version above ${previousVersion}`,
    );
  }
  const label = options.label ?? nextLabel(previous.release.label);
  if (entry.releases.some((r) => r.label === label)) {
    throw new UsageError(`label ${label} is already used on ${options.host}; pass --label with a new one`);
  }
  const tag = `release-${version}`;
  let release: Release;
  let scheme: BumpPlan['scheme'];
  if (options.clientOnly) {
    const server = previous.release.server ?? previous.release.tag!;
    release = { label, tag };
    for (const field of PORT_FIELDS) if (previous.release[field] !== undefined) release[field] = previous.release[field];
    release.server = server;
    scheme = 'client-only';
  } else {
    scheme = options.scheme ?? defaultScheme(version);
    release = { label, tag, ...assignPorts(registry, options, version, scheme) };
  }
  const portChanges: PortChange[] = [];
  for (const field of PORT_FIELDS) {
    const from = previous.release[field];
    const to = release[field];
    if (typeof from === 'number' && typeof to === 'number' && from !== to) portChanges.push({ field, from, to });
  }
  const next: Registry = structuredClone(registry);
  next.hosts[options.host]!.releases.push(release);
  // The whole file as it would be written (schema and rules): bad flag values (a label with a space,
  // an empty --allow-shared-port reason) never reach the disk.
  const problems = registryProblems(next);
  if (problems.length > 0) throw new UsageError(`the bump would make ports.json invalid: ${formatProblem(problems[0]!)}; nothing was written, fix the flag and run it again`);
  return { host: options.host, version, release, previous, scheme, portChanges, registry: next };
}
