import type Docker from 'dockerode';
import { COMPOSE, LABEL_PREFIX } from '../deploy/names.js';

/** The long-running services of a stack, in start order (stop is the reverse). */
export const SERVICES = ['db', 'jobmon', 'monitor'] as const;
export type StackService = (typeof SERVICES)[number];
export const START_ORDER: readonly StackService[] = SERVICES;
export const STOP_ORDER: readonly StackService[] = [...SERVICES].reverse();

export interface PublishedPort {
  hostIp: string;
  hostPort: number;
  containerPort: number;
}

/** One container as the operating commands show it. */
export interface ContainerView {
  id: string;
  name: string;
  project?: string;
  service?: string;
  /** running, exited, restarting, created, paused, dead. */
  state: string;
  /** healthy, unhealthy, starting; absent without a healthcheck. */
  health?: string;
  startedAt?: string;
  finishedAt?: string;
  exitCode?: number;
  ports: PublishedPort[];
  image: string;
  /** Our `org.jobmon-ops.version` label. */
  version?: string;
  /** Our `org.jobmon-ops.release` label (the tag). */
  release?: string;
  oneoff: boolean;
}

const NAME = /^(jobmon\d+)_([a-z]+)_\d+$/;
const ZERO_TIME = '0001-01-01T00:00:00Z';

/** What the Engine API's inspect says about a container, in our terms. Pure. */
export function viewOf(info: Docker.ContainerInspectInfo): ContainerView {
  const labels = info.Config.Labels ?? {};
  const name = info.Name.replace(/^\//, '');
  const byName = NAME.exec(name);
  const project = labels[COMPOSE.project] ?? byName?.[1];
  const service = labels[COMPOSE.service] ?? byName?.[2];
  const ports: PublishedPort[] = [];
  for (const [key, bindings] of Object.entries(info.NetworkSettings?.Ports ?? {})) {
    for (const b of bindings ?? []) ports.push({ hostIp: b.HostIp || '0.0.0.0', hostPort: Number(b.HostPort), containerPort: Number.parseInt(key, 10) });
  }
  // The engine lists IPv4 and IPv6 bindings of one port separately; `::` adds nothing for the reader.
  const shown = ports.filter((p) => !(p.hostIp === '::' && ports.some((o) => o !== p && o.hostPort === p.hostPort)));
  const state = info.State as Docker.ContainerInspectInfo['State'] & { Health?: { Status?: string } };
  return {
    id: info.Id,
    name,
    ...(project ? { project } : {}),
    ...(service ? { service } : {}),
    state: state.Status,
    ...(state.Health?.Status ? { health: state.Health.Status } : {}),
    ...(state.StartedAt && state.StartedAt !== ZERO_TIME ? { startedAt: state.StartedAt } : {}),
    ...(state.FinishedAt && state.FinishedAt !== ZERO_TIME ? { finishedAt: state.FinishedAt } : {}),
    ...(state.Status === 'exited' ? { exitCode: state.ExitCode } : {}),
    ports: shown.sort((a, b) => a.hostPort - b.hostPort),
    image: info.Config.Image,
    ...(labels[`${LABEL_PREFIX}version`] ? { version: labels[`${LABEL_PREFIX}version`] } : {}),
    ...(labels[`${LABEL_PREFIX}release`] ? { release: labels[`${LABEL_PREFIX}release`] } : {}),
    oneoff: labels[COMPOSE.oneoff] === 'True',
  };
}

/** A container that looks like Jobmon: compose project `jobmon*`, or a name `jobmon<digits>_<service>_1`. */
export function looksLikeJobmon(name: string, labels: Record<string, string> | undefined): boolean {
  const project = labels?.[COMPOSE.project];
  return project !== undefined ? project.startsWith('jobmon') : NAME.test(name);
}

async function inspectAll(docker: Docker, list: Docker.ContainerInfo[]): Promise<ContainerView[]> {
  const views = await Promise.all(
    list.map((c) =>
      docker
        .getContainer(c.Id)
        .inspect()
        .then(viewOf)
        // Removed between the list and the inspect: it is gone.
        .catch((error: { statusCode?: number }) => {
          if (error.statusCode === 404) return undefined;
          throw error;
        }),
    ),
  );
  return views.filter((v): v is ContainerView => v !== undefined).sort((a, b) => a.name.localeCompare(b.name));
}

/** Every Jobmon-looking container on the engine, running or not (one-shot initdb containers left out). */
export async function jobmonContainers(docker: Docker): Promise<ContainerView[]> {
  const list = await docker.listContainers({ all: true });
  const wanted = list.filter((c) => looksLikeJobmon((c.Names[0] ?? '').replace(/^\//, ''), c.Labels));
  return (await inspectAll(docker, wanted)).filter((v) => !v.oneoff);
}

/** The long-running containers of one compose project, by service. */
export async function stackContainers(docker: Docker, project: string): Promise<Map<string, ContainerView>> {
  const list = await docker.listContainers({ all: true, filters: { label: [`${COMPOSE.project}=${project}`] } });
  const views = (await inspectAll(docker, list)).filter((v) => !v.oneoff && v.service !== undefined);
  return new Map(views.map((v) => [v.service!, v]));
}

export type StackState = 'running' | 'starting' | 'degraded' | 'stopped' | 'absent';

/**
 * A stack's state from its containers: `absent` (none), `stopped` (all three
 * there, none running), `running` (all three up, none unhealthy), `starting`
 * (a health check has not passed yet), else `degraded`: a container missing
 * (removed by hand), stopped while others run, restarting or unhealthy.
 */
export function stackState(containers: readonly ContainerView[]): { state: StackState; missing: StackService[] } {
  const missing = SERVICES.filter((s) => !containers.some((c) => c.service === s));
  if (containers.length === 0) return { state: 'absent', missing };
  const running = containers.filter((c) => c.state === 'running');
  if (missing.length > 0) return { state: 'degraded', missing };
  if (running.length === 0) return { state: 'stopped', missing };
  if (running.length < containers.length || containers.some((c) => c.health === 'unhealthy')) return { state: 'degraded', missing };
  return { state: containers.some((c) => c.health === 'starting') ? 'starting' : 'running', missing };
}
