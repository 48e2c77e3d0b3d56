import { UsageError } from '../errors.js';
import { parseRegistry } from '../registry/parse.js';
import { displayName, numericPorts, versionOf } from '../registry/release.js';
import { findReleases, resolveServerRelease } from '../registry/resolve.js';
import { formatProblem, PORT_COLUMN, type Registry } from '../registry/schema.js';
import { findReleaseTag, readFileAtTag, tagCandidates, type RemoteTag } from './git-tag.js';
import { assertRegistryRules, LOCAL_REGISTRY, tagRegistry } from './registry-rules.js';
import { resolveDeployTarget, type DeployTarget } from './target.js';

export interface ReleaseSource {
  /** The tag whose code is deployed (a client-only alias's server release). */
  tag: RemoteTag;
  /** The registry as the tag's own checkout has it. */
  registry: Registry;
  target: DeployTarget;
}

export interface ReleaseSourceInput {
  ref: string;
  repo: string;
  host?: string;
  /** The local registry, when there is one: it resolves labels and ports, and must agree. */
  local?: Registry;
  log: (line: string) => void;
  /** Ctrl-C: stops the git commands at once. */
  signal?: AbortSignal;
}

/** Tag names to look up: a version's tag forms, else what the local registry calls the release, else the name as given. */
function candidatesFor(ref: string, local: Registry | undefined, host: string | undefined): string[] {
  if (versionOf(ref)) return tagCandidates(ref);
  if (local && findReleases(local, ref, host === undefined ? {} : { host }).length > 0) {
    // The release as it was named (a client-only one's own tag); its ports.json at that tag leads to the server release.
    const named = resolveServerRelease(local, ref, host === undefined ? {} : { host });
    const match = named.aliasOf ?? named.release;
    if (!versionOf(match.release.tag)) {
      throw new UsageError(`${displayName(match.release)} has no semver tag (release-X.Y.Z); deploy needs one such as release-0.8.7`);
    }
    return [match.release.tag!];
  }
  return [ref];
}

async function registryAtTag(repo: string, tag: RemoteTag, signal: AbortSignal | undefined): Promise<Registry> {
  const text = await readFileAtTag(repo, tag, 'ports.json', signal);
  if (text === undefined) throw new UsageError(`tag ${tag.tag} has no ports.json; register the release (jobmon-ops ports bump) in a commit and tag that`);
  const parsed = parseRegistry(text);
  if (!parsed.ok) throw new UsageError(`the ports.json of tag ${tag.tag} is invalid: ${formatProblem(parsed.problems[0]!)}; fix it in a new tag`);
  // The same rules as ports check: a port of 0 or 70000 never reaches a plan.
  assertRegistryRules(parsed.registry, tagRegistry(tag.tag));
  return parsed.registry;
}

/** Refuses a release whose ports differ between the tag's registry and the local one (when both have it). */
function assertAgrees(source: ReleaseSource, local: Registry | undefined): void {
  const { host, release } = source.target.release;
  const other = local?.hosts[host]?.releases.find((r) => r.tag === release.tag);
  if (!other) return;
  const fmt = (ports: { field: keyof typeof PORT_COLUMN; port: number }[]) => ports.map((p) => `${PORT_COLUMN[p.field]} ${p.port}`).join(', ');
  const theirs = fmt(numericPorts(release));
  const ours = fmt(numericPorts(other));
  if (theirs !== ours) {
    throw new UsageError(
      `the ports of ${release.tag} on ${host} differ: the tag's ports.json has ${theirs}, the local registry ${ours}; make them agree (jobmon-ops ports show ${release.tag}) before deploying`,
    );
  }
}

/**
 * Preflight's look at the repository: the tag exists and names a semver
 * release, and its own ports.json (from a temporary shallow fetch) registers
 * the release on the target host, agreeing with the local registry.
 */
export async function resolveReleaseSource({ ref, repo, host, local, log, signal }: ReleaseSourceInput): Promise<ReleaseSource> {
  // Refused as deploy --dry-run refuses it, before git is asked anything.
  if (local) assertRegistryRules(local, LOCAL_REGISTRY);
  let tag = await findReleaseTag(repo, candidatesFor(ref, local, host), signal);
  const registry = await registryAtTag(repo, tag, signal);
  if (findReleases(registry, tag.tag).length === 0) {
    const on = host === undefined ? '' : ` on ${host}`;
    throw new UsageError(`the ports.json of tag ${tag.tag} does not register it${on}; register it (jobmon-ops ports bump${host === undefined ? '' : ` --host ${host}`}) in a commit, tag that commit and deploy again`);
  }
  let target: DeployTarget;
  try {
    target = resolveDeployTarget(registry, tag.tag, host, tagRegistry(tag.tag));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    throw new UsageError(`in the ports.json of tag ${tag.tag}: ${error.message}`);
  }
  if (target.aliasOf) {
    const server = target.release.release.tag!;
    log(`note: ${tag.tag} is client-only; deploying its server release ${server}`);
    tag = await findReleaseTag(repo, [server], signal);
  }
  const source = { tag, registry, target };
  assertAgrees(source, local);
  return source;
}
