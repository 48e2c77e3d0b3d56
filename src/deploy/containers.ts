import type { ConfiguredLimits } from '../config.js';
import type { Secret } from '../server/secret.js';
import { containerLimits, containerSecurity } from './container-hardening.js';
import { containerLabels, resourceNames, type DeployStamp } from './names.js';
import type { ContainerSpec, EnvValue, PortBinding, ServiceName } from './plan-types.js';

/** The accounts initdb manages (docs/server.md), plus root. */
export const DB_ACCOUNTS = { root: 'root', tableCreator: 'table_creator', serviceUser: 'service_user', readOnly: 'read_only' } as const;

/** The database Jobmon uses, as in the original. */
export const DB_NAME = 'docker';

/** Where MariaDB keeps its data inside the DB container. */
export const DB_DATA_DIR = '/var/lib/mysql';

export interface DbSecrets {
  root: Secret;
  tableCreator: Secret;
  serviceUser: Secret;
  readOnly: Secret;
}

/** Everything the container specs of one stack are made from. */
export interface StackContext {
  project: string;
  stamp: DeployStamp;
  images: { server: string; db: string };
  /** Host ports: the DB's, and every JQS/JSM port of the release (all to the one service port). */
  published: { db: PortBinding; service: PortBinding[] };
  internalPorts: { db: number; service: number };
  secrets: DbSecrets & { slackToken?: Secret };
  slack: { wfChannel: string; nodeChannel: string };
  monitor: { lossThreshold: string; pollInterval: string };
  timeoutSeconds: number;
  /** The configuration's `limits`, over the defaults. */
  limits?: ConfiguredLimits | undefined;
}

const LOGGING: ContainerSpec['logging'] = { driver: 'json-file', maxSize: '100m', maxFile: 10 };

function base(ctx: StackContext, service: ServiceName, image: string): Omit<ContainerSpec, 'env' | 'ports' | 'mounts' | 'command'> {
  const names = resourceNames(ctx.project);
  return {
    name: names.containers[service],
    service,
    image,
    labels: containerLabels(ctx.project, service, ctx.stamp),
    // Each long-running service answers to its service name, as under compose; the DB's alias `db` is DB_HOST.
    // initdb logs in as root, which MariaDB accepts only from the DB container itself: it shares its network namespace.
    network: service === 'initdb' ? { namespaceOf: names.containers.db } : { name: names.network, aliases: [service] },
    restart: service === 'initdb' ? 'no' : 'unless-stopped',
    logging: LOGGING,
    security: containerSecurity(service),
    limits: containerLimits(service, ctx.limits),
  };
}

/** DB_* as the server reads them (docs/server.md), logging in as `user` at `host`. */
function dbEnv(ctx: StackContext, user: string, password: Secret, host = 'db'): Record<string, EnvValue> {
  return { DB_HOST: host, DB_PORT: String(ctx.internalPorts.db), DB_NAME, DB_USER: user, DB_PASS: password };
}

/**
 * MariaDB. The image's entry point initialises the data directory and root
 * password on first start. The healthcheck pings over TCP, so the entry
 * point's socket-only bootstrap server does not count as ready. `ping` reports
 * a live server even when the login is refused, so it needs no password at
 * all: no secret on its command line or in an extra variable.
 */
export function dbContainer(ctx: StackContext): ContainerSpec {
  return {
    ...base(ctx, 'db', ctx.images.db),
    env: { MARIADB_ROOT_PASSWORD: ctx.secrets.root },
    ports: [ctx.published.db],
    mounts: [{ volume: resourceNames(ctx.project).volume, target: DB_DATA_DIR }],
    healthcheck: {
      command: ['mariadb-admin', '--protocol=tcp', '--host=127.0.0.1', `--port=${ctx.internalPorts.db}`, '--user=healthcheck', 'ping'],
      // Engine API 1.41 (Debian's dockerd 20.10) has no StartInterval, so check often throughout.
      intervalSeconds: 2,
      timeoutSeconds: 5,
      retries: 3,
      startPeriodSeconds: ctx.timeoutSeconds,
    },
  };
}

/**
 * The one-shot `jobmon-server initdb`, as root: creates the schema and the
 * three accounts (decisions.md 14). It runs in the DB container's network
 * namespace and connects to 127.0.0.1, the only address besides the socket
 * that root may log in from. The server image's entry point is
 * jobmon-server, so a command is its arguments.
 */
export function initdbContainer(ctx: StackContext): ContainerSpec {
  const { secrets } = ctx;
  return {
    ...base(ctx, 'initdb', ctx.images.server),
    command: ['initdb'],
    healthcheck: 'none',
    env: {
      ...dbEnv(ctx, DB_ACCOUNTS.root, secrets.root, '127.0.0.1'),
      JOBMON_PASS_TABLE_CREATOR: secrets.tableCreator,
      JOBMON_PASS_SERVICE_USER: secrets.serviceUser,
      JOBMON_PASS_READ_ONLY: secrets.readOnly,
    },
    ports: [],
    mounts: [],
  };
}

/** The web service: JSM routes as service_user, JQS routes as read_only, on the one service port. */
export function webContainer(ctx: StackContext): ContainerSpec {
  return {
    ...base(ctx, 'jobmon', ctx.images.server),
    command: ['web'],
    env: {
      ...dbEnv(ctx, DB_ACCOUNTS.serviceUser, ctx.secrets.serviceUser),
      JQS_DB_USER: DB_ACCOUNTS.readOnly,
      JQS_DB_PASS: ctx.secrets.readOnly,
      LISTEN_PORT: String(ctx.internalPorts.service),
    },
    ports: ctx.published.service,
    mounts: [],
  };
}

/** The monitor: polls as service_user; without a Slack token it logs its messages instead. */
export function monitorContainer(ctx: StackContext): ContainerSpec {
  const slack: Record<string, EnvValue> = ctx.secrets.slackToken ? { SLACK_TOKEN: ctx.secrets.slackToken } : {};
  return {
    ...base(ctx, 'monitor', ctx.images.server),
    command: ['monitor'],
    // The image's check asks /health, which only the web service serves.
    healthcheck: 'none',
    env: {
      ...dbEnv(ctx, DB_ACCOUNTS.serviceUser, ctx.secrets.serviceUser),
      ...slack,
      WF_SLACK_CHANNEL: ctx.slack.wfChannel,
      NODE_SLACK_CHANNEL: ctx.slack.nodeChannel,
      MONITOR_LOSS_THRESHOLD: ctx.monitor.lossThreshold,
      MONITOR_POLL_INTERVAL: ctx.monitor.pollInterval,
    },
    ports: [],
    mounts: [],
  };
}
