import type { Context, GlobalOptions } from '../context.js';
import { ExitCode, SIGNAL_EXIT_CODES, UsageError, type InterruptSignal } from '../errors.js';
import { STOP_SIGNALS } from '../util/interrupt.js';
import { parseSince } from '../ops/log-lines.js';
import { showLogs, type LogSource } from '../ops/logs.js';
import { SERVICES, stackContainers, type StackService } from '../ops/stack.js';
import { openRelease } from '../ops/target.js';

export interface LogsOptions extends GlobalOptions {
  ref: string;
  service?: string;
  host?: string;
  tail?: number;
  follow?: boolean;
  since?: string;
  timestamps?: boolean;
}

/**
 * `jobmon-ops logs <release> [service]`: the containers' stdout and stderr,
 * demultiplexed to ours. Without a service, every service of the release,
 * each line prefixed `db | `, `jobmon | `, `monitor | `. Ctrl-C ends a
 * follow cleanly, with exit 130 as every interrupted command (decisions.md 1).
 */
export async function logs(options: LogsOptions, ctx: Context): Promise<number> {
  if (options.service !== undefined && !(SERVICES as readonly string[]).includes(options.service)) {
    throw new UsageError(`no service "${options.service}" in a Jobmon stack; the services are ${SERVICES.join(', ')}`);
  }
  const since = options.since === undefined ? undefined : parseSince(options.since, Date.now());
  if (since === undefined && options.since !== undefined) {
    throw new UsageError(`--since ${options.since} is neither a duration (10m, 1h30m, 2d) nor a time (2026-01-02T10:00:00Z or UNIX seconds)`);
  }
  const { target, docker, endpoint } = await openRelease(options.ref, options, ctx);
  const stack = await stackContainers(docker, target.project);
  if (stack.size === 0) throw new UsageError(`${target.name} has no containers on ${endpoint.url}; see jobmon-ops status`);
  const wanted: readonly StackService[] = options.service ? [options.service as StackService] : SERVICES;
  const sources: LogSource[] = [];
  for (const service of wanted) {
    const container = stack.get(service);
    if (!container) {
      if (options.service) throw new UsageError(`${target.name} has no ${service} container on ${endpoint.url} (removed?); see jobmon-ops status ${target.name}`);
      ctx.logger.warn(`note: ${target.name} has no ${service} container (removed?); showing the others`);
      continue;
    }
    const tty = (await docker.getContainer(container.id).inspect()).Config.Tty === true;
    sources.push({ service, id: container.id, tty });
  }
  // Ctrl-C is how a follow ends: no error line, only the signal's exit code.
  const controller = new AbortController();
  let stoppedBy: InterruptSignal | undefined;
  const stop = (name: InterruptSignal) => {
    stoppedBy ??= name;
    controller.abort();
  };
  for (const name of STOP_SIGNALS) process.on(name, stop);
  try {
    await showLogs({
      docker, sources, prefix: options.service === undefined, follow: options.follow === true, timestamps: options.timestamps === true,
      ...(options.tail === undefined ? {} : { tail: options.tail }), ...(since === undefined ? {} : { since }),
      out: process.stdout, err: process.stderr, signal: controller.signal,
    });
  } finally {
    for (const name of STOP_SIGNALS) process.off(name, stop);
  }
  return stoppedBy ? SIGNAL_EXIT_CODES[stoppedBy] : ExitCode.ok;
}
