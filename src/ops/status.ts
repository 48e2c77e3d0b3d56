import type Docker from 'dockerode';
import type { OperatorConfig } from '../config.js';
import type { EngineEndpoint } from '../deploy/engine.js';
import { inspectLock } from '../deploy/lock.js';
import { clientAddressOf } from '../deploy/preflight.js';
import { latestRecord } from '../deploy/record.js';
import { allReleases, displayName, projectName, versionOf, type ReleaseRef } from '../registry/release.js';
import type { Registry } from '../registry/schema.js';
import { healthUrl, readMonitor, type MonitorView } from './health.js';
import { jobmonContainers, SERVICES, stackState, type ContainerView, type StackService, type StackState } from './stack.js';
import type { OpsTarget } from './target.js';

export interface ReleaseBrief {
  name: string;
  label: string;
  host: string;
  version: string;
  project: string;
}

export interface StackReport {
  release: ReleaseBrief;
  state: StackState;
  missing: StackService[];
  containers: ContainerView[];
  monitor: MonitorView | 'unknown';
  /** A deploy (or undeploy) of the release holds its lock now: the stack is mid-change. */
  lock?: { holder: string; age: string; command?: string };
  /** The release's newest deploy run was killed outright and found so later; shown until a new run replaces it. */
  abandoned?: { deployedAt: string; deployUser: string; noticedAt: string; record: string };
}

export interface StatusReport {
  engine: string;
  /** The hosts whose registered releases are listed as not running (`--host`, the default host, else those of the stacks found). */
  hosts: string[];
  stacks: StackReport[];
  /** Registered (on the hosts shown) but with no container on the engine. */
  notRunning: ReleaseBrief[];
  /** Jobmon-looking containers that match no registered release. */
  unregistered: ContainerView[];
}

const brief = (ref: ReleaseRef, version: string): ReleaseBrief => ({
  name: displayName(ref.release), label: ref.release.label, host: ref.host, version, project: projectName(version),
});

/** Deployable releases (semver tag, not a client-only alias) by compose project; `hosts` first, so they win a shared project. */
export function releasesByProject(registry: Registry | undefined, hosts: readonly string[]): Map<string, ReleaseBrief> {
  const refs = registry ? allReleases(registry) : [];
  const ordered = [...refs.filter((r) => hosts.includes(r.host)), ...refs.filter((r) => !hosts.includes(r.host))];
  const out = new Map<string, ReleaseBrief>();
  for (const ref of ordered) {
    const version = versionOf(ref.release.tag);
    if (!version || ref.release.server !== undefined) continue;
    const b = brief(ref, version);
    if (!out.has(b.project)) out.set(b.project, b);
  }
  return out;
}

export interface StatusInput {
  docker: Docker;
  endpoint: EngineEndpoint;
  config: OperatorConfig;
  registry: Registry | undefined;
  /** `--host` or the configured default: whose registered releases are listed as not running. */
  host?: string;
  /** Only this release. */
  only?: OpsTarget;
  /** The service port inside the container (the registry's internalPorts.service). */
  servicePort: number;
  /** Where the deployment records are, to show an abandoned run. */
  deploymentsRoot?: string;
}

/** The web service's published port, for GET /health on the client address; undefined when it does not run. */
function webHealthUrl(input: StatusInput, release: ReleaseBrief, containers: ContainerView[]): string | undefined {
  const web = containers.find((c) => c.service === 'jobmon');
  if (!web || web.state !== 'running') return undefined;
  const port = web.ports.find((p) => p.containerPort === input.servicePort) ?? web.ports[0];
  if (!port) return undefined;
  return healthUrl(clientAddressOf(input.config, release.host, input.endpoint, port.hostIp), port.hostPort);
}

/** Every Jobmon stack on the engine (or the one release asked for), grouped by release. */
export async function gatherStatus(input: StatusInput): Promise<StatusReport> {
  const containers = await jobmonContainers(input.docker);
  const byProject = new Map<string, ContainerView[]>();
  for (const c of containers) byProject.set(c.project ?? '', [...(byProject.get(c.project ?? '') ?? []), c]);
  const registered = releasesByProject(input.registry, input.host ? [input.host] : []);
  if (input.only) {
    const { release, version } = input.only;
    registered.set(input.only.project, brief(release, version));
  }
  const stacks: StackReport[] = [];
  const unregistered: ContainerView[] = [];
  for (const [project, list] of byProject) {
    const release = registered.get(project);
    if (!release) {
      unregistered.push(...list);
      continue;
    }
    if (input.only && project !== input.only.project) continue;
    const ordered = [...list].sort((a, b) => SERVICES.indexOf(a.service as StackService) - SERVICES.indexOf(b.service as StackService));
    const lock = await inspectLock(input.docker, project);
    const current = input.deploymentsRoot ? await latestRecord(input.deploymentsRoot, release.version) : undefined;
    const abandoned = current?.record.status === 'abandoned' && current.record.abandoned
      ? { deployedAt: current.record.deployedAt, deployUser: current.record.deployUser, noticedAt: current.record.abandoned.noticedAt, record: current.file }
      : undefined;
    stacks.push({
      release, ...stackState(ordered), containers: ordered, monitor: await readMonitor(webHealthUrl(input, release, ordered)),
      ...(lock ? { lock: { holder: lock.holder, age: lock.age, ...(lock.command ? { command: lock.command } : {}) } } : {}), ...(abandoned ? { abandoned } : {}),
    });
  }
  stacks.sort((a, b) => a.release.project.localeCompare(b.release.project));
  const shownHosts = input.host ? [input.host] : [...new Set(stacks.map((s) => s.release.host))];
  const notRunning = input.only
    ? stacks.length === 0 ? [brief(input.only.release, input.only.version)] : []
    : [...registered.values()].filter((r) => shownHosts.includes(r.host) && !byProject.has(r.project));
  return { engine: input.endpoint.url, hosts: input.only ? [input.only.release.host] : shownHosts, stacks, notRunning, unregistered: input.only ? [] : unregistered };
}
