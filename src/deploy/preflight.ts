import type Docker from 'dockerode';
import type { OperatorConfig } from '../config.js';
import { UsageError } from '../errors.js';
import { numericPorts, projectName } from '../registry/release.js';
import type { Registry } from '../registry/schema.js';
import { PORT_COLUMN } from '../registry/schema.js';
import { ensureEngineReachable, type EngineEndpoint } from './engine.js';
import { projectContainers, publishedPorts, volumeExists, type ContainerBrief } from './engine-state.js';
import { resourceNames } from './names.js';
import { lockHeldError } from './lock.js';
import { recoverAbandonedRun } from './recover.js';
import { probePort } from './port-probe.js';
import { latestVolumeRecord, type DeploymentRecord } from './record.js';
import { resolveReleaseSource, type ReleaseSource } from './release-source.js';
import { assertRepoNotOption } from './git-tag.js';

export interface PreflightInput {
  ref: string;
  repo?: string;
  host?: string;
  bind: string;
  redeploy: boolean;
  purgeData: boolean;
  /** `--break-lock`: a held lock is not a preflight failure (the run breaks it first). */
  breakLock?: boolean;
  config: OperatorConfig;
  /** The local registry, if there is one. */
  local?: Registry;
  docker: Docker;
  endpoint: EngineEndpoint;
  user: string;
  deploymentsRoot: string;
  log: (line: string) => void;
  /** Ctrl-C: stops the git commands at once. */
  signal?: AbortSignal;
}

export interface PreflightResult {
  /** The repository the tag came from (--repo, else the configured one). */
  repo: string;
  source: ReleaseSource;
  version: string;
  project: string;
  /** Where clients reach the published ports. */
  clientAddress: string;
  /** The release's containers already on the engine (only with --redeploy). */
  existing: ContainerBrief[];
  volumeExists: boolean;
  /** The newest record of the version that holds the volume's passwords. */
  previous?: { file: string; record: DeploymentRecord };
}

/** An engine on this machine: its host ports are this machine's, so processes can be probed. */
export function isLocalEngine(endpoint: EngineEndpoint): boolean {
  return endpoint.kind === 'unix' || (endpoint.kind === 'tcp' && ['localhost', '127.0.0.1', '::1', '[::1]'].includes(endpoint.host));
}

/** The configured client address of the host; else 127.0.0.1 for a local engine (unless bound elsewhere), else the engine's host. */
export function clientAddressOf(config: OperatorConfig, host: string, endpoint: EngineEndpoint, bind: string): string {
  const configured = config.hosts[host]?.address;
  if (configured) return configured;
  if (isLocalEngine(endpoint) || endpoint.kind === 'unix') return bind === '0.0.0.0' || bind === '::' ? '127.0.0.1' : bind;
  return endpoint.host;
}

/** Each host port the release publishes once, with its registry column name. */
function hostPorts(source: ReleaseSource): { name: string; port: number }[] {
  const out: { name: string; port: number }[] = [];
  for (const { field, port } of numericPorts(source.target.release.release)) {
    if (field !== 'viz' && !out.some((p) => p.port === port)) out.push({ name: PORT_COLUMN[field], port });
  }
  return out;
}

async function assertPortsFree(input: PreflightInput, source: ReleaseSource, project: string): Promise<void> {
  const published = await publishedPorts(input.docker);
  for (const { name, port } of hostPorts(source)) {
    const holder = published.get(port);
    // A redeploy replaces its own containers, which hold its ports now.
    if (holder && input.redeploy && holder.project === project) continue;
    if (holder) {
      const of = holder.project ? ` of compose project ${holder.project}` : '';
      throw new UsageError(`port ${port} (${name}) is already published by container ${holder.name}${of} on ${input.endpoint.url}; stop that container, or register other ports for the release`);
    }
    if (!isLocalEngine(input.endpoint)) continue;
    const probe = await probePort(input.bind, port);
    if (!probe.free) {
      const by = probe.by ? ` by ${probe.by}` : '';
      throw new UsageError(`port ${port} (${name}) on ${input.bind} is in use${by} (${probe.code}); stop that process, or register other ports for the release`);
    }
  }
}

/**
 * Every check before a deploy changes anything (decisions.md 22); each failure
 * is one UsageError (exit 2) naming the problem and the fix.
 */
export async function runPreflight(input: PreflightInput): Promise<PreflightResult> {
  const { config, docker } = input;
  if (config.deployUser && config.deployUser !== input.user) {
    throw new UsageError(`deploys are made as ${config.deployUser} (deployUser in the configuration), not ${input.user}; run as ${config.deployUser}, e.g. sudo -iu ${config.deployUser}`);
  }
  const repo = input.repo ?? config.repository;
  if (!repo) throw new UsageError('no repository to take the release from; pass --repo URL, or set "repository" in the configuration');
  assertRepoNotOption(repo, input.repo === undefined ? '"repository" in the configuration' : '--repo');
  await ensureEngineReachable(docker, input.endpoint);
  const source = await resolveReleaseSource({ ref: input.ref, repo, ...(input.host ? { host: input.host } : {}), ...(input.local ? { local: input.local } : {}), log: input.log, ...(input.signal ? { signal: input.signal } : {}) });
  const { version, tag } = source.tag;
  const project = projectName(version);
  // A deploy in progress holds the lock and its containers are coming and going:
  // say so first, before its ports look taken. A run that was killed outright is
  // put right instead: the one change preflight makes, and only to undo that run.
  const { held } = await recoverAbandonedRun({
    docker, project, release: tag, version, deploymentsRoot: input.deploymentsRoot, by: 'deploy', log: input.log, ...(input.breakLock ? { breakLock: true } : {}),
  });
  if (held) throw lockHeldError(tag, held);
  const existing = await projectContainers(docker, project);
  if (existing.length > 0 && !input.redeploy) {
    throw new UsageError(`${tag} is already deployed on ${input.endpoint.url} (${existing.map((c) => c.name).sort().join(', ')}); pass --redeploy to replace its containers, keeping its data`);
  }
  await assertPortsFree(input, source, project);
  const volume = resourceNames(project).volume;
  const hasVolume = await volumeExists(docker, volume);
  const previous = await latestVolumeRecord(input.deploymentsRoot, version);
  if (hasVolume && !previous && !input.purgeData) {
    throw new UsageError(
      `the volume ${volume} exists but no deployment record of ${version} in ${input.deploymentsRoot} holds its passwords; restore the record there, or pass --purge-data to delete the volume and its data`,
    );
  }
  const host = source.target.release.host;
  return {
    repo,
    source,
    version,
    project,
    clientAddress: clientAddressOf(config, host, input.endpoint, input.bind),
    existing,
    volumeExists: hasVolume,
    ...(previous ? { previous } : {}),
  };
}
