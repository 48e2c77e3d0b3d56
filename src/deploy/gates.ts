import { setTimeout as delay } from 'node:timers/promises';
import type Docker from 'dockerode';
import { fetchWithin } from './http-probe.js';

/**
 * The health gates of a deploy: each polls until its condition holds, the
 * container it waits on dies, the step's limit passes, or the run is
 * interrupted. Each returns a short note for the progress line, or throws an
 * Error whose message says what was last seen.
 */

export interface GateContext {
  docker: Docker;
  container: string;
  timeoutSeconds: number;
  signal: AbortSignal;
}

const POLL_MS = 250;

async function pause(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, { signal });
  } catch {
    throw signal.reason;
  }
}

/** Runs `probe` every POLL_MS until it returns a note; after the limit, throws `timedOut()`'s message. */
async function poll(ctx: GateContext, probe: () => Promise<string | undefined>, timedOut: () => string): Promise<string> {
  const deadline = Date.now() + ctx.timeoutSeconds * 1000;
  for (;;) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const note = await probe();
    if (note !== undefined) return note;
    if (Date.now() >= deadline) throw new Error(timedOut());
    await pause(POLL_MS, ctx.signal);
  }
}

type State = Docker.ContainerInspectInfo['State'] & { Health?: { Status: string; Log?: { Output?: string }[] } };

async function state(ctx: GateContext): Promise<State> {
  return (await ctx.docker.getContainer(ctx.container).inspect()).State as State;
}

/** A long-running container that stopped or restarts has failed its step. */
function assertRunning(s: State): void {
  if (s.Restarting) throw new Error(`the container keeps restarting (last exit code ${s.ExitCode})`);
  if (!s.Running) throw new Error(`the container exited with code ${s.ExitCode}${s.Error ? ` (${s.Error})` : ''}`);
}

/** The container's own healthcheck reports healthy. */
export async function waitHealthy(ctx: GateContext): Promise<string> {
  let last: State | undefined;
  return poll(
    ctx,
    async () => {
      last = await state(ctx);
      assertRunning(last);
      return last.Health?.Status === 'healthy' || !last.Health ? 'healthy' : undefined;
    },
    () => {
      const output = last?.Health?.Log?.at(-1)?.Output?.trim().split('\n').at(-1);
      return `not healthy within ${ctx.timeoutSeconds} s (health ${last?.Health?.Status ?? 'unknown'}${output ? `; last check: ${output}` : ''}); pass a larger --timeout if it was only slow`;
    },
  );
}

/** A one-shot container exits with `code`. */
export async function waitExit(ctx: GateContext, code: number): Promise<string> {
  return poll(
    ctx,
    async () => {
      const s = await state(ctx);
      if (s.Running || s.Status === 'created') return undefined;
      if (s.ExitCode !== code) throw new Error(`it exited with code ${s.ExitCode}, not ${code}`);
      return `exit code ${code}`;
    },
    () => `still running after ${ctx.timeoutSeconds} s; pass a larger --timeout if it was only slow`,
  );
}

/** GET `url` answers `status`; the container must keep running meanwhile. */
export async function waitHttp(ctx: GateContext, url: string, status: number): Promise<string> {
  let last = 'no answer yet';
  return poll(
    ctx,
    async () => {
      assertRunning(await state(ctx));
      try {
        const response = await fetchWithin(url, 750, ctx.signal);
        if (response.status === status) return `${url} answers ${status}`;
        last = `${response.status} ${response.text.slice(0, 200)}`;
      } catch (error) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        const cause = (error as { cause?: { code?: string } }).cause;
        last = cause?.code ?? (error as Error).message;
      }
      return undefined;
    },
    () => `GET ${url} did not answer ${status} within ${ctx.timeoutSeconds} s (last: ${last})`,
  );
}

/**
 * The web service's health report shows a monitor poll that completed after
 * the monitor container started (decisions.md 19). A server whose /health does
 * not report the monitor gets the weaker gate: the container stays up 2 s.
 */
export async function waitMonitorPoll(ctx: GateContext, url: string): Promise<string> {
  const info = await ctx.docker.getContainer(ctx.container).inspect();
  // lastPollAt has whole seconds: compare with the start time cut to the second.
  const started = Math.floor(Date.parse(info.State.StartedAt) / 1000) * 1000;
  let last = 'no answer yet';
  return poll(
    ctx,
    async () => {
      assertRunning(await state(ctx));
      let body: { monitor?: { lastPollAt?: string | null; lastError?: string | null } | null };
      try {
        body = JSON.parse((await fetchWithin(url, 750, ctx.signal)).text) as typeof body;
      } catch (error) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        last = (error as Error).message;
        return undefined;
      }
      if (body.monitor === undefined) {
        await pause(2000, ctx.signal);
        assertRunning(await state(ctx));
        return 'running for 2 s (this server\'s /health does not report monitor polls)';
      }
      const at = body.monitor?.lastPollAt;
      if (at && Date.parse(at) >= started) return `first poll at ${at}${body.monitor?.lastError ? ` (it reported: ${body.monitor.lastError})` : ''}`;
      last = at ? `last poll ${at}, before this monitor started` : 'no poll yet';
      return undefined;
    },
    () => `no completed monitor poll within ${ctx.timeoutSeconds} s (${last})`,
  );
}
