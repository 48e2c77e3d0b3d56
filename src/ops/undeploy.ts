import type Docker from 'dockerode';
import { COMPOSE, resourceNames } from '../deploy/names.js';
import type { Progress } from '../deploy/progress.js';
import { STOP_ORDER } from './stack.js';

export interface UndeployInput {
  docker: Docker;
  project: string;
  purgeData: boolean;
  timeoutSeconds: number;
  progress: Progress;
}

export interface UndeployResult {
  containers: string[];
  network?: string;
  /** The DB volume, if it was removed (`--purge-data`). */
  volumeRemoved?: string;
  /** The DB volume, if it exists and was kept. */
  volumeKept?: string;
}

const statusOf = (error: unknown) => (error as { statusCode?: number }).statusCode;
const ignore = (...codes: number[]) => (error: unknown) => {
  if (!codes.includes(statusOf(error) ?? 0)) throw error;
};

async function volumeExists(docker: Docker, name: string): Promise<boolean> {
  return docker.getVolume(name).inspect().then(() => true, (error: unknown) => {
    if (statusOf(error) === 404) return false;
    throw error;
  });
}

/**
 * Stops (monitor, jobmon, db, then any other, e.g. a failed initdb) and
 * removes a release's containers, then its network; the DB volume only with
 * `purgeData`. Each step is reported; what is already gone is skipped.
 */
export async function undeployStack(input: UndeployInput): Promise<UndeployResult> {
  const { docker, project, progress } = input;
  const names = resourceNames(project);
  const list = await docker.listContainers({ all: true, filters: { label: [`${COMPOSE.project}=${project}`] } });
  const rank = (c: Docker.ContainerInfo) => {
    const i = STOP_ORDER.indexOf(c.Labels?.[COMPOSE.service] as (typeof STOP_ORDER)[number]);
    return i < 0 ? STOP_ORDER.length : i;
  };
  const result: UndeployResult = { containers: [] };
  for (const c of [...list].sort((a, b) => rank(a) - rank(b))) {
    const name = (c.Names[0] ?? c.Id).replace(/^\//, '');
    await progress.step(`remove ${name}${c.State === 'running' ? `: stop (at most ${input.timeoutSeconds} s), then remove` : ''}`, async () => {
      const container = docker.getContainer(c.Id);
      if (c.State === 'running' || c.State === 'restarting') await container.stop({ t: input.timeoutSeconds }).catch(ignore(304, 404));
      await container.remove({ force: true }).catch(ignore(404));
      return 'removed';
    }, (note) => note);
    result.containers.push(name);
  }
  const networks = await docker.listNetworks({ filters: { name: [names.network] } });
  for (const n of networks.filter((n) => n.Name === names.network)) {
    await progress.step(`remove network ${n.Name}`, () => docker.getNetwork(n.Id).remove().catch(ignore(404)).then(() => 'removed'), (note) => note);
    result.network = n.Name;
  }
  if (await volumeExists(docker, names.volume)) {
    if (input.purgeData) {
      await progress.step(`remove volume ${names.volume} and its data`, () => docker.getVolume(names.volume).remove().catch(ignore(404)).then(() => 'removed'), (note) => note);
      result.volumeRemoved = names.volume;
    } else {
      result.volumeKept = names.volume;
    }
  }
  return result;
}
