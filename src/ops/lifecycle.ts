import type Docker from 'dockerode';
import { waitHealthy, waitHttp, waitMonitorPoll, type GateContext } from '../deploy/gates.js';
import type { Progress } from '../deploy/progress.js';
import { healthUrl } from './health.js';
import { START_ORDER, STOP_ORDER, stackContainers, viewOf, type ContainerView, type StackService } from './stack.js';

export type LifecycleAction = 'start' | 'stop' | 'restart';

export interface LifecycleInput {
  docker: Docker;
  project: string;
  action: LifecycleAction;
  /** One service; absent: the whole stack. */
  service?: StackService;
  /** Seconds each step may take: a stop's grace before the engine kills, a start's wait for health. */
  timeoutSeconds: number;
  /** The service port inside the container (its published port is found on the container). */
  servicePort: number;
  /** The address clients reach a port published on `hostIp` at. */
  addressFor: (hostIp: string) => string;
  progress: Progress;
  signal: AbortSignal;
}

export interface LifecycleResult {
  /** Services of the stack with no container (removed by hand): skipped. */
  missing: StackService[];
}

const statusOf = (error: unknown) => (error as { statusCode?: number }).statusCode;

async function stopOne(input: LifecycleInput, c: ContainerView): Promise<void> {
  if (c.state !== 'running' && c.state !== 'restarting' && c.state !== 'paused') {
    input.progress.line(`stop ${c.service} (${c.name}): already ${c.state}`);
    return;
  }
  await input.progress.step(`stop ${c.service} (${c.name}), at most ${input.timeoutSeconds} s before it is killed`, async () => {
    // 304: it stopped on its own meanwhile.
    await input.docker.getContainer(c.id).stop({ t: input.timeoutSeconds }).catch((error: unknown) => {
      if (statusOf(error) !== 304) throw error;
    });
    return 'stopped';
  }, (note) => note);
}

/** GET /health of the web container, on its published service port. */
async function webHealth(input: LifecycleInput, id: string): Promise<string | undefined> {
  const view = viewOf(await input.docker.getContainer(id).inspect());
  const port = view.ports.find((p) => p.containerPort === input.servicePort) ?? view.ports[0];
  return port ? healthUrl(input.addressFor(port.hostIp), port.hostPort) : undefined;
}

/** Starts a container (if it is not running) and waits for what says it is ready: Docker health, the web /health, a monitor poll. */
async function startOne(input: LifecycleInput, c: ContainerView, web: ContainerView | undefined): Promise<void> {
  const gate: GateContext = { docker: input.docker, container: c.id, timeoutSeconds: input.timeoutSeconds, signal: input.signal };
  const running = c.state === 'running';
  await input.progress.step(`start ${c.service} (${c.name})${running ? ', already running' : ''}, waiting up to ${input.timeoutSeconds} s for health`, async () => {
    if (!running) {
      await input.docker.getContainer(c.id).start().catch((error: unknown) => {
        if (statusOf(error) !== 304) throw error;
      });
    }
    const notes = [await waitHealthy(gate)];
    if (c.service === 'jobmon') {
      const url = await webHealth(input, c.id);
      if (url) notes.push(await waitHttp(gate, url, 200));
    }
    if (c.service === 'monitor' && web) {
      const url = await webHealth(input, web.id);
      if (url) notes.push(await waitMonitorPoll(gate, url));
    }
    return notes.join('; ');
  }, (note) => note);
}

/**
 * Stops, starts or restarts a stack (or one service) in dependency order:
 * stop monitor, jobmon, db; start db, jobmon, monitor, each start waiting for
 * health. A restart stops all, then starts all. A missing container is skipped
 * and reported in the result.
 */
export async function changeStack(input: LifecycleInput): Promise<LifecycleResult> {
  const stack = await stackContainers(input.docker, input.project);
  const wanted = (order: readonly StackService[]) => order.filter((s) => input.service === undefined || s === input.service);
  const missing = wanted(START_ORDER).filter((s) => !stack.has(s));
  for (const service of missing) input.progress.line(`${service}: no container ${input.project}_${service}_1 (removed?); skipped`);
  if (input.action !== 'start') {
    for (const service of wanted(STOP_ORDER)) {
      if (input.signal.aborted) throw input.signal.reason;
      const c = stack.get(service);
      if (c) await stopOne(input, c);
    }
  }
  if (input.action !== 'stop') {
    // Stopped containers were just stopped: read their state again.
    const now = input.action === 'restart' ? await stackContainers(input.docker, input.project) : stack;
    for (const service of wanted(START_ORDER)) {
      if (input.signal.aborted) throw input.signal.reason;
      const c = now.get(service);
      const web = now.get('jobmon');
      if (c) await startOne(input, c, web && (web.state === 'running' || input.service === undefined) ? web : undefined);
    }
  }
  return { missing };
}
