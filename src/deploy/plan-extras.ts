import { UsageError } from '../errors.js';
import type { DeployPlan, DeployStep } from './plan-types.js';

/** `key=value` pairs of the hidden `--label` option (tests mark their resources `org.jobmon-ops.test=1`). */
export function parseLabels(pairs: readonly string[] = []): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--label ${pair} is not key=value`);
    labels[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return labels;
}

/**
 * The plan with extra labels on every network, volume and container, and
 * extra options for the DB server (`mariadbd`, after the image's own). Pure.
 */
export function withExtras(plan: DeployPlan, labels: Record<string, string>, dbOptions: readonly string[] = []): DeployPlan {
  if (Object.keys(labels).length === 0 && dbOptions.length === 0) return plan;
  const steps = plan.steps.map((step): DeployStep => {
    if (step.kind === 'network' || step.kind === 'volume') return { ...step, labels: { ...step.labels, ...labels } };
    if (step.kind !== 'container' && step.kind !== 'oneshot') return step;
    const container = { ...step.container, labels: { ...step.container.labels, ...labels } };
    if (container.service === 'db' && dbOptions.length > 0) container.command = [...(container.command ?? []), ...dbOptions];
    return { ...step, container } as DeployStep;
  });
  return { ...plan, steps };
}
