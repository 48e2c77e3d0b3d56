import type Docker from 'dockerode';
import { toDockerCreateOptions, toDockerNetworkOptions, toDockerVolumeOptions } from './docker-spec.js';
import { networkExists, volumeExists } from './engine-state.js';
import { waitExit, waitHealthy, waitHttp, waitMonitorPoll, type GateContext } from './gates.js';
import { imageId } from './image-build.js';
import type { ContainerStep, DeployStep, OneshotStep, WaitStep } from './plan-types.js';

/** A container a redeploy replaced: stopped and parked under another name until the run succeeds. */
export interface Parked {
  name: string;
  parkedAs: string;
}

/** What one run created on the engine (exactly what its rollback removes), and the containers it parked. */
export interface Created {
  containers: string[];
  network?: string;
  volume?: string;
  /** In the order they were replaced; a rollback renames them back and starts them. */
  parked: Parked[];
}

/** The name a replaced container waits under while its successor proves healthy. */
export const parkedName = (name: string) => `${name}.previous`;

export interface StepContext {
  docker: Docker;
  signal: AbortSignal;
  /** Host clients use for the published ports (health gates). */
  clientAddress: string;
  created: Created;
}

const statusOf = (error: unknown) => (error as { statusCode?: number }).statusCode;

async function removeContainer(docker: Docker, name: string): Promise<void> {
  await docker
    .getContainer(name)
    .remove({ force: true, v: false })
    .catch((error: unknown) => {
      if (statusOf(error) !== 404) throw error;
    });
}

async function containerExists(docker: Docker, name: string): Promise<boolean> {
  try {
    await docker.getContainer(name).inspect();
    return true;
  } catch (error) {
    if (statusOf(error) === 404) return false;
    throw error;
  }
}

async function startContainer(step: ContainerStep | OneshotStep, ctx: StepContext): Promise<string> {
  const { docker } = ctx;
  const name = step.container.name;
  let note = 'created and started';
  const parkedAs = parkedName(name);
  // A parked container of a killed run was restored or removed in preflight (recover.ts);
  // one here now belongs to a run that started meanwhile, and is not ours to replace.
  if (await containerExists(docker, parkedAs)) throw new Error(`${parkedAs} appeared during this run; see jobmon-ops status, which recovers a killed run's containers`);
  if (await containerExists(docker, name)) {
    if (step.onExisting !== 'replace') throw new Error(`a container named ${name} exists; pass --redeploy to replace it`);
    // The old one stops as `docker stop` would (SIGTERM, then 10 s), so the DB shuts down cleanly,
    // and is kept under another name: a failed redeploy puts it back (restoreParked).
    await docker
      .getContainer(name)
      .stop({ t: 10 })
      .catch((error: unknown) => {
        if (statusOf(error) !== 304 && statusOf(error) !== 404) throw error;
      });
    await docker.getContainer(name).rename({ name: parkedAs });
    ctx.created.parked.push({ name, parkedAs });
    note = 'replaced the old one (kept stopped until this deploy succeeds), started';
  }
  await docker.createContainer(toDockerCreateOptions(step.container));
  ctx.created.containers.push(name);
  await docker.getContainer(name).start();
  return note;
}

function gate(step: WaitStep, ctx: StepContext): Promise<string> {
  const g: GateContext = { docker: ctx.docker, container: step.container, timeoutSeconds: step.timeoutSeconds, signal: ctx.signal };
  const { check } = step;
  switch (check.type) {
    case 'healthcheck':
      return waitHealthy(g);
    case 'exit':
      return waitExit(g, check.code);
    case 'http':
      return waitHttp(g, `http://${ctx.clientAddress}:${check.publishedPort}${check.path}`, check.status);
    case 'monitor-poll':
      return waitMonitorPoll(g, `http://${ctx.clientAddress}:${check.publishedPort}${check.path}`);
  }
}

/** Applies one step of the plan; returns a short note on what it did. */
export async function applyStep(step: DeployStep, ctx: StepContext): Promise<string> {
  const { docker } = ctx;
  switch (step.kind) {
    case 'image':
      // ensureImages made or found it before the run; a missing one now is an error, not a build.
      if (!(await imageId(docker, step.image))) throw new Error(`the engine has no image ${step.image}`);
      return 'present';
    case 'network':
      if (await networkExists(docker, step.name)) return 'exists, reused';
      await docker.createNetwork(toDockerNetworkOptions(step));
      ctx.created.network = step.name;
      return 'created';
    case 'volume':
      if (await volumeExists(docker, step.name)) return 'exists, reused with its data';
      await docker.createVolume(toDockerVolumeOptions(step));
      ctx.created.volume = step.name;
      return 'created';
    case 'container':
    case 'oneshot':
      return startContainer(step, ctx);
    case 'wait':
      return gate(step, ctx);
  }
}

/** Removes a one-shot container once its gate passed (the plan's removeOnSuccess). */
export async function removeOneshot(ctx: StepContext, name: string): Promise<void> {
  await removeContainer(ctx.docker, name);
  ctx.created.containers = ctx.created.containers.filter((c) => c !== name);
}

/** Removes what one run created, newest first; returns what could not be removed. */
export async function removeCreated(docker: Docker, created: Created): Promise<string[]> {
  const left: string[] = [];
  for (const name of [...created.containers].reverse()) {
    await removeContainer(docker, name).catch((error: unknown) => left.push(`container ${name} (${(error as Error).message})`));
  }
  if (created.network) {
    await docker
      .getNetwork(created.network)
      .remove()
      .catch((error: unknown) => statusOf(error) === 404 || left.push(`network ${created.network} (${(error as Error).message})`));
  }
  if (created.volume) {
    await docker
      .getVolume(created.volume)
      .remove()
      .catch((error: unknown) => statusOf(error) === 404 || left.push(`volume ${created.volume} (${(error as Error).message})`));
  }
  return left;
}

/** After a successful run: the replaced containers are no longer needed. Returns what could not be removed. */
export async function removeParked(docker: Docker, parked: Parked[]): Promise<string[]> {
  const left: string[] = [];
  for (const { parkedAs } of parked) {
    await removeContainer(docker, parkedAs).catch((error: unknown) => left.push(`container ${parkedAs} (${(error as Error).message})`));
  }
  return left;
}

/**
 * After a failed or interrupted redeploy (its new containers already removed):
 * the replaced containers get their names back and start again, in the order
 * they were replaced (the DB first). Returns the names restored and what could not be.
 */
export async function restoreParked(docker: Docker, parked: Parked[]): Promise<{ restored: string[]; left: string[] }> {
  const restored: string[] = [];
  const left: string[] = [];
  for (const { name, parkedAs } of parked) {
    try {
      const container = docker.getContainer(parkedAs);
      await container.rename({ name });
      await docker.getContainer(name).start();
      restored.push(name);
    } catch (error) {
      left.push(`${name} (from ${parkedAs}: ${(error as Error).message})`);
    }
  }
  return { restored, left };
}
