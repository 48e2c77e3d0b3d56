import type Docker from 'dockerode';
import { lastLogLines } from './container-logs.js';
import { applyStep, removeCreated, removeOneshot, restoreParked, type Created, type Parked, type StepContext } from './execute-steps.js';
import { stepTitle } from './format.js';
import type { DeployPlan, DeployStep } from './plan-types.js';
import type { Progress } from './progress.js';

export type { Created } from './execute-steps.js';

export interface ExecuteOptions {
  /** The engine to apply the plan to; passed in, never a global. */
  docker: Docker;
  plan: DeployPlan;
  progress: Progress;
  /** Aborted on Ctrl-C: the current step stops, and the run rolls back. */
  signal: AbortSignal;
  /** Where the published ports answer for the health gates. */
  clientAddress: string;
}

export interface StepTiming {
  title: string;
  seconds: number;
  note: string;
}

export interface ExecuteResult {
  created: Created;
  steps: StepTiming[];
  seconds: number;
  /**
   * The containers a redeploy replaced, still parked: the caller records the
   * success first and then removes them, so a run killed in between leaves
   * parked containers next to a record that says the new stack was proven.
   */
  parked: Parked[];
}

/** A step failed (or the run was interrupted) and what this run created was removed again. */
export class DeployFailure extends Error {
  constructor(
    readonly step: string,
    readonly reason: unknown,
    /** The container the failed step was about, whose logs are shown. */
    readonly container: string | undefined,
    readonly logs: string[],
    readonly created: Created,
    /** What the rollback could not remove. */
    readonly left: string[],
    readonly interrupted: boolean,
    /** The containers a failed redeploy put back and started again, and those it could not. */
    readonly restore: { restored: string[]; left: string[] } = { restored: [], left: [] },
  ) {
    super(`${step}: ${reason instanceof Error ? reason.message : String(reason)}`);
  }
}

function containerOf(step: DeployStep): string | undefined {
  if (step.kind === 'wait') return step.container;
  return step.kind === 'container' || step.kind === 'oneshot' ? step.container.name : undefined;
}

/** `[5/12] start jobmon087_db_1`; a wait says its limit up front. */
export function progressTitle(step: DeployStep, index: number, total: number): string {
  const limit = step.kind === 'wait' ? `, up to ${step.timeoutSeconds} s` : '';
  return `[${String(index + 1).padStart(String(total).length)}/${total}] ${stepTitle(step)}${limit}`;
}

/**
 * Applies a deploy plan to an engine, step by step, in order: images (made
 * before), network and volume (reused when present), then each container and
 * its health gate. On a failed step or an abort, it removes everything this
 * run created, newest first (a network or volume that existed before is
 * kept), puts back the containers a redeploy replaced, and throws a
 * DeployFailure with the failing container's last 50 log lines, read before
 * the removal. Replaced containers stay parked when every step passed: the
 * caller removes them after recording the success.
 */
export async function executePlan({ docker, plan, progress, signal, clientAddress }: ExecuteOptions): Promise<ExecuteResult> {
  const created: Created = { containers: [], parked: [] };
  const ctx: StepContext = { docker, signal, clientAddress, created };
  const oneshots = new Set(plan.steps.flatMap((s) => (s.kind === 'oneshot' && s.removeOnSuccess ? [s.container.name] : [])));
  const timings: StepTiming[] = [];
  const started = Date.now();
  for (const [index, step] of plan.steps.entries()) {
    const title = progressTitle(step, index, plan.steps.length);
    const stepStarted = Date.now();
    try {
      if (signal.aborted) throw signal.reason;
      const note = await progress.step(title, () => applyStep(step, ctx), (n) => n);
      if (step.kind === 'wait' && oneshots.has(step.container)) await removeOneshot(ctx, step.container);
      timings.push({ title, seconds: (Date.now() - stepStarted) / 1000, note });
    } catch (error) {
      const container = containerOf(step);
      const logs = container ? await lastLogLines(docker, container, 50) : [];
      const left = await removeCreated(docker, created);
      const restore = await restoreParked(docker, created.parked);
      throw new DeployFailure(title, error, container, logs, created, left, signal.aborted, restore);
    }
  }
  return { created, steps: timings, seconds: (Date.now() - started) / 1000, parked: created.parked };
}
