import { UsageError } from '../errors.js';
import { nearest } from '../util/nearest.js';
import { allReleases, displayName, numericPorts, projectName, versionOf, type ReleaseRef } from './release.js';
import { PORT_COLUMN, type PortField, type Registry } from './schema.js';

/** How a reference matched a release. */
export type MatchKind = 'tag' | 'version' | 'label' | 'project' | 'port';

export interface ReleaseMatch extends ReleaseRef {
  kind: MatchKind;
  /** For a port match: which port of the release it is. */
  field?: PortField;
}

/** The names a release answers to (tag, version, label, compose project). */
function namesOf(ref: ReleaseRef): { kind: MatchKind; name: string }[] {
  const names: { kind: MatchKind; name: string }[] = [{ kind: 'label', name: ref.release.label }];
  if (ref.release.tag) names.push({ kind: 'tag', name: ref.release.tag });
  const version = versionOf(ref.release.tag);
  if (version) {
    names.push({ kind: 'version', name: version });
    names.push({ kind: 'project', name: projectName(version) });
  }
  return names;
}

/**
 * Every release a reference names: a tag (`release-0.8.7`), a version
 * (`0.8.7`), a label (`http.11`), a compose project (`jobmon087`) or any of
 * its ports (`1234`). Ports are not unique, so this may return several.
 */
export function findReleases(registry: Registry, ref: string, options: { host?: string } = {}): ReleaseMatch[] {
  const refs = allReleases(registry).filter((r) => options.host === undefined || r.host === options.host);
  const wantedVersion = versionOf(ref);
  const matches: ReleaseMatch[] = [];
  for (const candidate of refs) {
    if (/^\d+$/.test(ref)) {
      for (const { field, port } of numericPorts(candidate.release)) {
        if (port === Number(ref)) matches.push({ ...candidate, kind: 'port', field });
      }
      continue;
    }
    const hit = namesOf(candidate).find(
      ({ kind, name }) => name === ref || (kind === 'version' && wantedVersion !== undefined && name === wantedVersion),
    );
    if (hit) matches.push({ ...candidate, kind: hit.kind });
  }
  return matches;
}

/** A one-line list of candidates: `release-0.8.1 (http.5) on jobmon-p01`. */
export function describeMatch(match: ReleaseRef): string {
  const name = displayName(match.release);
  const label = match.release.tag ? ` (${match.release.label})` : '';
  return `${name}${label} on ${match.host}`;
}

/** The nearest names to an unknown reference, for the error's hint. */
export function suggestReleases(registry: Registry, ref: string): string[] {
  // Newest rows first, so ties suggest the releases people use now.
  const names = allReleases(registry)
    .reverse()
    .flatMap((r) => namesOf(r).map((n) => n.name));
  return nearest(ref, names);
}

/** A `--host` the registry does not know: one error everywhere, with the nearest names and the known hosts. */
export function assertKnownHost(registry: Registry, host: string): void {
  if (!Object.hasOwn(registry.hosts, host)) throw unknownHostError(registry, host);
}

function unknownHostError(registry: Registry, host: string): UsageError {
  const known = Object.keys(registry.hosts);
  const hint = nearest(host, known);
  return new UsageError(`no host "${host}" in the registry${hint.length ? `; did you mean ${hint.join(', ')}?` : ''} (known: ${known.join(', ') || 'none'}); pass one of those to --host`);
}

/** The error for a reference that names nothing: says the nearest names and where to look. */
export function unknownReleaseError(registry: Registry, ref: string, host?: string): UsageError {
  // Nothing is found on a host the registry does not have: say that, not that the release is unknown.
  if (host !== undefined && !Object.hasOwn(registry.hosts, host)) return unknownHostError(registry, host);
  const where = host ? ` on ${host}` : '';
  const hints = /^\d+$/.test(ref) ? [] : suggestReleases(registry, ref);
  const hint = hints.length > 0 ? `did you mean ${hints.join(', ')}? ` : '';
  return new UsageError(`no release "${ref}"${where} in the registry; ${hint}see jobmon-ops ports list`);
}

/**
 * Exactly one release for a reference, or a UsageError: unknown (with the
 * nearest names) or ambiguous (listing every candidate). Two port matches of
 * the same release count once.
 */
export function resolveRelease(registry: Registry, ref: string, options: { host?: string } = {}): ReleaseMatch {
  if (options.host !== undefined) assertKnownHost(registry, options.host);
  const matches = findReleases(registry, ref, options);
  const distinct = matches.filter((m, i) => matches.findIndex((o) => o.host === m.host && o.index === m.index) === i);
  if (distinct.length === 0) throw unknownReleaseError(registry, ref, options.host);
  if (distinct.length > 1) {
    const list = distinct.map((m) => (m.field ? `${describeMatch(m)} (${PORT_COLUMN[m.field]})` : describeMatch(m))).join('; ');
    throw new UsageError(`"${ref}" is ambiguous: ${list}; name the release by its tag, or pass --host`);
  }
  return distinct[0]!;
}

/**
 * A client-only release's server release on the same host (decisions.md 9), with
 * the alias it came from; any other release stays as it is. Deploy, dump and
 * the operating commands act on the server release.
 */
export function serverReleaseOf(registry: Registry, ref: ReleaseRef): { release: ReleaseRef; aliasOf?: ReleaseRef } {
  if (ref.release.server === undefined) return { release: ref };
  const releases = registry.hosts[ref.host]!.releases;
  const index = releases.findIndex((r) => r.tag === ref.release.server);
  if (index < 0) {
    throw new UsageError(`${displayName(ref.release)} is client-only, but its server release ${ref.release.server} is not on ${ref.host}; fix ports.json`);
  }
  return { release: { host: ref.host, index, release: releases[index]! }, aliasOf: ref };
}

/**
 * The stack a reference names: like resolveRelease followed by
 * serverReleaseOf, except that a client-only release and its server release
 * are one stack, so a reference matching both (their shared ports) names the
 * server release once instead of being ambiguous. `aliasOf` is set only when
 * the reference named nothing but a client-only release.
 */
export function resolveServerRelease(registry: Registry, ref: string, options: { host?: string } = {}): { release: ReleaseRef; aliasOf?: ReleaseRef } {
  // findReleases alone stays quiet about a host: deploy looks in the local registry first, and the tag's may have the host.
  if (options.host !== undefined) assertKnownHost(registry, options.host);
  const resolved = findReleases(registry, ref, options).map((m) => serverReleaseOf(registry, { host: m.host, index: m.index, release: m.release }));
  const stacks = resolved.filter((r, i) => resolved.findIndex((o) => o.release.host === r.release.host && o.release.index === r.release.index) === i);
  if (stacks.length !== 1) return serverReleaseOf(registry, resolveRelease(registry, ref, options)); // unknown or ambiguous: its error
  const direct = resolved.find((r) => r.aliasOf === undefined);
  return direct ?? resolved[0]!;
}
