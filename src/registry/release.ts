import gte from 'semver/functions/gte.js';
import parse from 'semver/functions/parse.js';
import valid from 'semver/functions/valid.js';
import { PORT_FIELDS, type PortField, type Registry, type Release } from './schema.js';

/** A release row and where it sits in the registry. */
export interface ReleaseRef {
  host: string;
  index: number;
  release: Release;
}

/** The semver version a tag names (`release-0.8.7` and `0.8.7` both give 0.8.7), if any. */
export function versionOf(tagOrVersion: string | undefined): string | undefined {
  if (!tagOrVersion) return undefined;
  const bare = tagOrVersion.startsWith('release-') ? tagOrVersion.slice('release-'.length) : tagOrVersion;
  return valid(bare) ?? undefined;
}

/** How people name a release: its tag, or its label for early untagged rows. */
export function displayName(release: Release): string {
  return release.tag ?? release.label;
}

/** The compose project name: `jobmon` + the version's digits (0.8.7 -> jobmon087). */
export function projectName(version: string): string {
  const v = parse(version);
  if (!v) throw new Error(`not a semver version: ${version}`);
  return `jobmon${v.major}${v.minor}${v.patch}`;
}

/** The numeric ports of a release, by field, in table order. */
export function numericPorts(release: Pick<Release, PortField>): { field: PortField; port: number }[] {
  const out: { field: PortField; port: number }[] = [];
  for (const field of PORT_FIELDS) {
    const value = release[field];
    if (typeof value === 'number') out.push({ field, port: value });
  }
  return out;
}

/** Every release row of the registry, host by host, in file order. */
export function allReleases(registry: Registry): ReleaseRef[] {
  const out: ReleaseRef[] = [];
  for (const [host, entry] of Object.entries(registry.hosts)) {
    entry.releases.forEach((release, index) => out.push({ host, index, release }));
  }
  return out;
}

/** The release with the highest semver version among `refs` (later rows win ties). */
export function newestRelease(refs: ReleaseRef[]): ReleaseRef | undefined {
  let best: ReleaseRef | undefined;
  let bestVersion: string | undefined;
  for (const ref of refs) {
    const version = versionOf(ref.release.tag);
    if (!version) continue;
    if (!bestVersion || gte(version, bestVersion)) {
      best = ref;
      bestVersion = version;
    }
  }
  return best;
}
