import { UsageError } from '../errors.js';
import { allReleases, displayName, projectName, versionOf, type ReleaseRef } from '../registry/release.js';
import { findReleases, resolveServerRelease } from '../registry/resolve.js';
import type { Registry } from '../registry/schema.js';
import { assertRegistryRules, LOCAL_REGISTRY, type RegistryName } from './registry-rules.js';

export interface DeployTarget {
  /** The release to deploy: a client-only alias is replaced by its server release (decisions.md 9). */
  release: ReleaseRef;
  /** The client-only release the reference named, if it was one. */
  aliasOf?: ReleaseRef;
}

/**
 * The release a deploy reference names (decisions.md 5), or a UsageError:
 * unknown, ambiguous, not semver, or sharing its compose project name with
 * another registered version (decisions.md 24: 0.1.12 and 0.11.2). A registry
 * that breaks a rule of `ports check` is refused first, named as `name` says.
 */
export function resolveDeployTarget(registry: Registry, ref: string, host?: string, name: RegistryName = LOCAL_REGISTRY): DeployTarget {
  assertRegistryRules(registry, name);
  if (host !== undefined && findReleases(registry, ref, { host }).length === 0) {
    const elsewhere = [...new Set(findReleases(registry, ref).map((m) => m.host))];
    if (elsewhere.length > 0) {
      throw new UsageError(`"${ref}" is not registered on ${host}, only on ${elsewhere.join(', ')}; pass --host ${elsewhere[0]}, or register it with jobmon-ops ports bump --host ${host}`);
    }
  }
  const { release, aliasOf } = resolveServerRelease(registry, ref, host === undefined ? {} : { host });
  const version = versionOf(release.release.tag);
  if (!version) {
    throw new UsageError(`${displayName(release.release)} has no semver tag (release-X.Y.Z); deploy needs one such as release-0.8.7`);
  }
  const project = projectName(version);
  const clash = allReleases(registry).find((r) => {
    const other = versionOf(r.release.tag);
    return other !== undefined && other !== version && projectName(other) === project;
  });
  if (clash) {
    throw new UsageError(
      `${release.release.tag} and ${clash.release.tag} would share the compose project ${project}, so their resources could not be told apart; deploy refuses both until one leaves ports.json`,
    );
  }
  return aliasOf ? { release, aliasOf } : { release };
}
