import type { Context, GlobalOptions } from '../context.js';
import { plainProgress } from '../deploy/progress.js';
import { clientAddressOf } from '../deploy/preflight.js';
import { ProblemsFoundError, UsageError } from '../errors.js';
import { withInterrupt } from '../util/interrupt.js';
import { changeStack, type LifecycleAction } from '../ops/lifecycle.js';
import { SERVICES, type StackService } from '../ops/stack.js';
import { withReleaseLock } from '../ops/release-lock.js';
import { openRelease } from '../ops/target.js';

export interface LifecycleOptions extends GlobalOptions {
  ref: string;
  service?: string;
  host?: string;
  /** Seconds each step may take. */
  timeout: number;
}

const DONE: Record<LifecycleAction, string> = { start: 'started', stop: 'stopped', restart: 'restarted' };

/** start, stop and restart: the stack (or one service) in dependency order, each step reported, starts waiting for health. */
async function runLifecycle(action: LifecycleAction, options: LifecycleOptions, ctx: Context): Promise<number> {
  if (options.service !== undefined && !(SERVICES as readonly string[]).includes(options.service)) {
    throw new UsageError(`no service "${options.service}" in a Jobmon stack; the services are ${SERVICES.join(', ')}`);
  }
  const { target, docker, endpoint, config, registry } = await openRelease(options.ref, options, ctx);
  const what = options.service ? `${options.service} of ${target.name}` : target.name;
  let result;
  try {
    const lock = { docker, project: target.project, name: target.name, version: target.version, command: action, env: ctx.env, log: (line: string) => ctx.logger.warn(line) };
    result = await withInterrupt(`interrupted while the ${action} of ${what} was under way; see jobmon-ops status ${target.name}`, (signal) =>
      withReleaseLock(lock, () =>
        changeStack({
          docker, project: target.project, action, timeoutSeconds: options.timeout, servicePort: registry.internalPorts.service,
          addressFor: (hostIp) => clientAddressOf(config, target.release.host, endpoint, hostIp),
          progress: plainProgress(ctx.logger), signal,
          ...(options.service ? { service: options.service as StackService } : {}),
        }),
      ),
    );
  } catch (error) {
    if (error instanceof Error && !('exitCode' in error)) throw new ProblemsFoundError(`${action} of ${what} failed: ${error.message}; see jobmon-ops logs ${target.name}`);
    throw error;
  }
  const all = options.service ? 1 : SERVICES.length;
  if (result.missing.length === all) throw new UsageError(`${what} has no containers on ${endpoint.url}; deploy it with jobmon-ops deploy ${target.name}`);
  if (result.missing.length > 0 && action !== 'stop') {
    throw new ProblemsFoundError(`${what}: ${result.missing.join(', ')} missing, the rest ${DONE[action]}; jobmon-ops deploy ${target.name} --redeploy recreates the stack, keeping its data`);
  }
  ctx.logger.info(`${what} ${DONE[action]}${result.missing.length > 0 ? ` (${result.missing.join(', ')} missing)` : ''}`);
  return 0;
}

export const start = (options: LifecycleOptions, ctx: Context) => runLifecycle('start', options, ctx);
export const stop = (options: LifecycleOptions, ctx: Context) => runLifecycle('stop', options, ctx);
export const restart = (options: LifecycleOptions, ctx: Context) => runLifecycle('restart', options, ctx);
