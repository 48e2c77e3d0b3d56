import type Docker from 'dockerode';
import { COMPOSE } from './names.js';

/** A container as preflight and the lock see it. */
export interface ContainerBrief {
  id: string;
  name: string;
  project?: string;
  state: string;
}

const brief = (c: Docker.ContainerInfo): ContainerBrief => ({
  id: c.Id,
  name: (c.Names[0] ?? c.Id).replace(/^\//, ''),
  ...(c.Labels?.[COMPOSE.project] ? { project: c.Labels[COMPOSE.project] } : {}),
  state: c.State,
});

/** Every container of a compose project on the engine, running or not. */
export async function projectContainers(docker: Docker, project: string): Promise<ContainerBrief[]> {
  const list = await docker.listContainers({ all: true, filters: { label: [`${COMPOSE.project}=${project}`] } });
  return list.map(brief);
}

/** Host ports that running containers publish, each with the container that holds it. */
export async function publishedPorts(docker: Docker): Promise<Map<number, ContainerBrief & { hostIp: string }>> {
  const out = new Map<number, ContainerBrief & { hostIp: string }>();
  for (const c of await docker.listContainers({ all: false })) {
    for (const port of c.Ports ?? []) {
      if (port.PublicPort && !out.has(port.PublicPort)) out.set(port.PublicPort, { ...brief(c), hostIp: port.IP ?? '0.0.0.0' });
    }
  }
  return out;
}

/** True when the engine has a volume of that name. */
export async function volumeExists(docker: Docker, name: string): Promise<boolean> {
  try {
    await docker.getVolume(name).inspect();
    return true;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return false;
    throw error;
  }
}

/** True when the engine has a network of exactly that name. */
export async function networkExists(docker: Docker, name: string): Promise<boolean> {
  const list = await docker.listNetworks({ filters: { name: [name] } });
  return list.some((n) => n.Name === name);
}
