import { Secret } from '../server/secret.js';
import { describeSecurity, sizeText } from './container-hardening.js';
import type { ContainerSpec, DeployPlan, DeployStep, EnvValue, WaitCheck, WaitGate } from './plan-types.js';
import { jsonOutput } from '../util/json-output.js';

const REDACTED = '[REDACTED]';

const GATES: Record<WaitGate, string> = {
  'db-ready': 'DB accepting connections',
  'initdb-done': 'initdb finished',
  'web-healthy': 'web service healthy',
  'monitor-polling': 'monitor polling',
};

/** One line per step, for --dry-run and for the executor's progress. */
export function stepTitle(step: DeployStep): string {
  switch (step.kind) {
    case 'image':
      return `image ${step.image}`;
    case 'network':
      return `network ${step.name}`;
    case 'volume':
      return `volume ${step.name}`;
    case 'container':
      return `start ${step.container.name}`;
    case 'oneshot':
      return `run ${step.container.name}`;
    case 'wait':
      return `wait: ${GATES[step.gate]} (${step.container})`;
  }
}

function describeCheck(check: WaitCheck): string {
  switch (check.type) {
    case 'healthcheck':
      return 'its healthcheck reports healthy';
    case 'exit':
      return `it exits with code ${check.code}`;
    case 'http':
      return `GET ${check.path} on port ${check.publishedPort} answers ${check.status}`;
    case 'monitor-poll':
      return `GET ${check.path} on port ${check.publishedPort} reports a completed monitor poll`;
  }
}

const shown = (value: EnvValue) => (typeof value === 'string' ? value : REDACTED);

/** `name  first` then further values aligned under the first. */
function field(name: string, values: string[]): string[] {
  const pad = ' '.repeat(6);
  return values.map((value, i) => `${pad}${(i === 0 ? name : '').padEnd(9)}${value}`);
}

/** The labels every resource of the plan carries alike, printed once at the top. */
function commonLabels(plan: DeployPlan): Record<string, string> {
  const sets = plan.steps.flatMap((s) => {
    if (s.kind === 'network' || s.kind === 'volume') return [s.labels];
    return s.kind === 'container' || s.kind === 'oneshot' ? [s.container.labels] : [];
  });
  const [first, ...rest] = sets;
  return Object.fromEntries(Object.entries(first ?? {}).filter(([k, v]) => rest.every((labels) => labels[k] === v)));
}

const labelText = (labels: Record<string, string>) => Object.entries(labels).map(([k, v]) => `${k}=${v}`);

function labelLines(labels: Record<string, string>, common: Record<string, string>): string[] {
  const own = Object.fromEntries(Object.entries(labels).filter(([k, v]) => common[k] !== v));
  const hasCommon = Object.keys(common).some((k) => labels[k] === common[k]);
  return field('labels', [...labelText(own), ...(hasCommon ? ['and the labels of every resource'] : [])]);
}

function networkText(network: ContainerSpec['network']): string {
  if ('namespaceOf' in network) return `the network namespace of ${network.namespaceOf} (reaches it as 127.0.0.1)`;
  return `${network.name}${network.aliases.length ? ` as ${network.aliases.join(', ')}` : ''}`;
}

function containerLines(spec: ContainerSpec, common: Record<string, string>): string[] {
  const health = spec.healthcheck;
  return [
    ...field('image', [spec.image]),
    ...(spec.command ? field('command', [spec.command.join(' ')]) : []),
    ...field('ports', spec.ports.length ? spec.ports.map((p) => `${p.hostIp}:${p.hostPort} -> ${p.containerPort}/${p.protocol} (${p.name})`) : ['none']),
    ...field('network', [networkText(spec.network)]),
    ...spec.mounts.flatMap((m) => field('volume', [`${m.volume} at ${m.target}`])),
    ...field('restart', [`${spec.restart}; logs ${spec.logging.driver}, ${spec.logging.maxSize} x ${spec.logging.maxFile}`]),
    ...(health === 'none' ? field('health', ["none (the image's check is off)"]) : []),
    ...(health && health !== 'none' ? field('health', [`${health.command.join(' ')} (every ${health.intervalSeconds} s)`]) : []),
    ...field('security', [describeSecurity(spec.security)]),
    ...field('limits', [`memory ${sizeText(spec.limits.memoryBytes)} (no swap), pids ${spec.limits.pids}`]),
    ...field('env', Object.entries(spec.env).map(([name, value]) => `${name}=${shown(value)}`)),
    ...labelLines(spec.labels, common),
  ];
}

function stepLines(step: DeployStep, existing: string, common: Record<string, string>): string[] {
  switch (step.kind) {
    case 'image':
      return [`image      ${step.image} (${step.role}; reused when present, else built${step.baseImage ? ` from ${step.baseImage}` : ''})`];
    case 'network':
      return [`network    ${step.name} (${step.driver}; reused when present)`, ...labelLines(step.labels, common)];
    case 'volume':
      return [`volume     ${step.name} (reused with its data when present)`, ...labelLines(step.labels, common)];
    case 'container':
      return [`container  ${step.container.name} (service ${step.container.service}; ${existing})`, ...containerLines(step.container, common)];
    case 'oneshot': {
      const removal = step.removeOnSuccess ? '; removed once it succeeded' : '';
      return [`oneshot    ${step.container.name} (service ${step.container.service}${removal})`, ...containerLines(step.container, common)];
    }
    case 'wait':
      return [`wait       ${GATES[step.gate]}: ${step.container}, until ${describeCheck(step.check)}; up to ${step.timeoutSeconds} s`];
  }
}

/** The plan as text for --dry-run: every step and setting, secret values as `[REDACTED]`. */
export function formatPlan(plan: DeployPlan): string {
  const { release } = plan;
  const existing = plan.redeploy ? 'replaces the running one' : 'refused if one exists';
  const width = String(plan.steps.length).length;
  const lines = [
    `deploy plan: ${release.tag} (${release.label}) on ${release.host}, compose project ${release.project}`,
    `  version ${release.version}, commit ${plan.commit}, by ${plan.deployedBy} at ${plan.deployedAt}`,
    `  ports bound to ${plan.bindAddress}; each health gate waits up to ${plan.timeoutSeconds} s${plan.redeploy ? '; redeploy: the DB volume and its passwords are kept' : ''}`,
  ];
  const common = commonLabels(plan);
  if (Object.keys(common).length > 0) lines.push('  labels of every resource:', ...labelText(common).map((l) => `    ${l}`));
  plan.steps.forEach((step, i) => {
    const [head, ...rest] = stepLines(step, existing, common);
    lines.push(`${String(i + 1).padStart(width)}. ${head}`, ...rest);
  });
  return lines.join('\n');
}

/** A deep copy with every Secret replaced by `[REDACTED]` (not relying on its toJSON). */
export function redactSecrets<T>(value: T): T {
  const walk = (v: unknown): unknown => {
    if (v instanceof Secret) return REDACTED;
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/** The plan as JSON for --dry-run --json, secrets redacted. */
export function planToJson(plan: DeployPlan): string {
  return jsonOutput({ ...redactSecrets(plan) });
}
