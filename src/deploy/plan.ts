import type { ConfiguredLimits } from '../config.js';
import { UsageError } from '../errors.js';
import { displayName, numericPorts, projectName, versionOf, type ReleaseRef } from '../registry/release.js';
import { PORT_COLUMN } from '../registry/schema.js';
import type { Secret } from '../server/secret.js';
import { dbContainer, initdbContainer, monitorContainer, webContainer, type DbSecrets, type StackContext } from './containers.js';
import { networkLabels, resourceNames, volumeLabels, type DeployStamp } from './names.js';
import type { DeployPlan, DeployStep, PortBinding } from './plan-types.js';

export type * from './plan-types.js';

/** The monitor's defaults, written out so `docker inspect` shows what runs. */
export const MONITOR_DEFAULTS = { lossThreshold: '5m', pollInterval: '10m' } as const;

export interface PlanInput {
  /** The release row resolved from the registry (a client-only alias already replaced by its server release). */
  release: ReleaseRef;
  commit: string;
  /** Image tags, decided by the caller (tagged by commit, decisions.md 25). */
  images: { server: string; db: string };
  baseImage?: string;
  /** Host side of every published port; default all addresses (decisions.md 26). */
  bindAddress?: string;
  secrets: DbSecrets & { slackToken?: Secret };
  slack: { wfChannel: string; nodeChannel: string };
  monitor?: { lossThreshold?: string; pollInterval?: string };
  deployedBy: string;
  /** ISO time of this deploy, stamped on every resource. */
  deployedAt: string;
  /** The registry's in-container ports. */
  internalPorts: { db: number; service: number };
  /** Each health gate's limit, and the DB healthcheck's start period. */
  timeoutSeconds: number;
  /** Replace the containers of a deployed release (its volume is always reused). */
  redeploy: boolean;
  /** The configuration's `limits`; absent: the defaults (container-hardening.ts). */
  limits?: ConfiguredLimits | undefined;
}

/** The release's host ports: the DB's, and every JQS/JSM port, all to the one service port (decisions.md 10). */
function publishedPorts(input: PlanInput, bindAddress: string): StackContext['published'] {
  const { release } = input.release;
  const name = displayName(release);
  const ports = numericPorts(release);
  const bind = (field: (typeof ports)[number]['field'], hostPort: number, containerPort: number): PortBinding => ({
    name: PORT_COLUMN[field],
    hostIp: bindAddress,
    hostPort,
    containerPort,
    protocol: 'tcp',
  });
  const db = ports.find((p) => p.field === 'db');
  if (!db) throw new UsageError(`${name} has no registered db port on ${input.release.host}; register it in ports.json (jobmon-ops ports bump)`);
  const service: PortBinding[] = [];
  for (const { field, port } of ports) {
    if (field === 'db' || field === 'viz') continue;
    // One host port binds once, however many columns name it.
    if (!service.some((b) => b.hostPort === port)) service.push(bind(field, port, input.internalPorts.service));
  }
  if (service.length === 0) throw new UsageError(`${name} has no registered JQS or JSM port on ${input.release.host}; register them in ports.json`);
  return { db: bind('db', db.port, input.internalPorts.db), service };
}

/**
 * The whole deployment of one release as data: images, network, volume, then
 * each container followed by its health gate, in start order. Pure: the same
 * input gives the same plan, and nothing touches an engine.
 */
export function planDeploy(input: PlanInput): DeployPlan {
  const { release, host } = input.release;
  const tag = release.tag;
  const version = versionOf(tag);
  if (!tag || !version) throw new UsageError(`${displayName(release)} has no semver tag (release-X.Y.Z); deploy needs one`);
  const project = projectName(version);
  const names = resourceNames(project);
  const bindAddress = input.bindAddress ?? '0.0.0.0';
  const stamp: DeployStamp = { release: tag, version, commit: input.commit, deployedBy: input.deployedBy, deployedAt: input.deployedAt };
  const published = publishedPorts(input, bindAddress);
  const ctx: StackContext = {
    project,
    stamp,
    images: input.images,
    published,
    internalPorts: input.internalPorts,
    secrets: input.secrets,
    slack: input.slack,
    monitor: { ...MONITOR_DEFAULTS, ...input.monitor },
    timeoutSeconds: input.timeoutSeconds,
    limits: input.limits,
  };
  const timeoutSeconds = input.timeoutSeconds;
  const onExisting = input.redeploy ? 'replace' : 'fail';
  const base = input.baseImage === undefined ? {} : { baseImage: input.baseImage };
  const health = { containerPort: input.internalPorts.service, publishedPort: published.service[0]!.hostPort };
  const steps: DeployStep[] = [
    { kind: 'image', role: 'server', image: input.images.server, ...base, onExisting: 'reuse' },
    { kind: 'image', role: 'db', image: input.images.db, ...base, onExisting: 'reuse' },
    { kind: 'network', name: names.network, driver: 'bridge', labels: networkLabels(project, stamp), onExisting: 'reuse' },
    { kind: 'volume', name: names.volume, driver: 'local', labels: volumeLabels(project, stamp), onExisting: 'reuse' },
    { kind: 'container', container: dbContainer(ctx), onExisting },
    { kind: 'wait', gate: 'db-ready', container: names.containers.db, check: { type: 'healthcheck' }, timeoutSeconds },
    { kind: 'oneshot', container: initdbContainer(ctx), onExisting: 'replace', removeOnSuccess: true },
    { kind: 'wait', gate: 'initdb-done', container: names.containers.initdb, check: { type: 'exit', code: 0 }, timeoutSeconds },
    { kind: 'container', container: webContainer(ctx), onExisting },
    { kind: 'wait', gate: 'web-healthy', container: names.containers.jobmon, check: { type: 'http', path: '/health', status: 200, ...health }, timeoutSeconds },
    { kind: 'container', container: monitorContainer(ctx), onExisting },
    { kind: 'wait', gate: 'monitor-polling', container: names.containers.monitor, check: { type: 'monitor-poll', path: '/health', ...health }, timeoutSeconds },
  ];
  return {
    release: { tag, version, label: release.label, host, project },
    commit: input.commit,
    deployedBy: input.deployedBy,
    deployedAt: input.deployedAt,
    bindAddress,
    redeploy: input.redeploy,
    timeoutSeconds,
    images: input.images,
    network: names.network,
    volume: names.volume,
    containers: names.containers,
    steps,
  };
}
