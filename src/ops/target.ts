import type Docker from 'dockerode';
import { loadConfig, type OperatorConfig } from '../config.js';
import type { Context, GlobalOptions } from '../context.js';
import { connectEngine, ensureEngineReachable, type EngineEndpoint } from '../deploy/engine.js';
import { UsageError } from '../errors.js';
import { displayName, projectName, versionOf, type ReleaseRef } from '../registry/release.js';
import { resolveServerRelease } from '../registry/resolve.js';
import type { Registry } from '../registry/schema.js';
import { loadRegistry } from '../registry/store.js';

/** A deployed release, as the operating commands (status, logs, start/stop, creds, undeploy) act on it. */
export interface OpsTarget {
  /** The release whose stack it is: a client-only alias is replaced by its server release (decisions.md 9). */
  release: ReleaseRef;
  /** `release-0.8.7`. */
  name: string;
  version: string;
  project: string;
  aliasOf?: ReleaseRef;
}

/**
 * The release a reference names (decisions.md 5): tag, version, label, compose
 * project or any port. Unknown, ambiguous or without a semver tag: a
 * UsageError (exit 2), before the engine is contacted.
 */
export function resolveOpsTarget(registry: Registry, ref: string, host?: string): OpsTarget {
  const { release, aliasOf } = resolveServerRelease(registry, ref, host === undefined ? {} : { host });
  const version = versionOf(release.release.tag);
  if (!version) {
    throw new UsageError(`${displayName(release.release)} has no semver tag (release-X.Y.Z), so it was never deployed by jobmon-ops; see jobmon-ops ports show ${ref}`);
  }
  return { release, name: displayName(release.release), version, project: projectName(version), ...(aliasOf ? { aliasOf } : {}) };
}

export interface OpsSession {
  registry: Registry;
  config: OperatorConfig;
  target: OpsTarget;
  docker: Docker;
  endpoint: EngineEndpoint;
}

/** Registry, configuration, the named release and its host's engine (reachable, else a one-line error naming it). */
export async function openRelease(ref: string, options: GlobalOptions & { host?: string }, ctx: Context): Promise<OpsSession> {
  const { registry } = await loadRegistry({ cwd: ctx.cwd, explicit: options.registry, env: ctx.env });
  const config = await loadConfig(ctx.env);
  const target = resolveOpsTarget(registry, ref, options.host);
  if (target.aliasOf) ctx.logger.warn(`note: ${displayName(target.aliasOf.release)} is client-only; acting on its server release ${target.name}`);
  const { docker, endpoint } = connectEngine({ env: ctx.env, config, host: target.release.host });
  await ensureEngineReachable(docker, endpoint);
  return { registry, config, target, docker, endpoint };
}
