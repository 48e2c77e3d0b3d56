import type { ServiceName } from './plan-types.js';

/** Prefix of our own labels; `org.jobmon-ops.managed=true` marks what deploy created. */
export const LABEL_PREFIX = 'org.jobmon-ops.';

/** The labels docker compose reads; set so `docker compose -p <project> ps|logs` works on our containers. */
export const COMPOSE = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  containerNumber: 'com.docker.compose.container-number',
  oneoff: 'com.docker.compose.oneoff',
  network: 'com.docker.compose.network',
  volume: 'com.docker.compose.volume',
} as const;

/** The name `docker compose` would give each resource of a project (decisions.md 24). */
export function resourceNames(project: string) {
  return {
    network: `${project}_default`,
    volume: `${project}_db_data`,
    containers: {
      db: `${project}_db_1`,
      jobmon: `${project}_jobmon_1`,
      monitor: `${project}_monitor_1`,
      initdb: `${project}_initdb_1`,
    } satisfies Record<ServiceName, string>,
  };
}

/** What our labels say about a deployment. */
export interface DeployStamp {
  release: string;
  version: string;
  commit: string;
  deployedBy: string;
  deployedAt: string;
}

/** Our labels, the same on every resource of one deploy. */
export function ownLabels(stamp: DeployStamp): Record<string, string> {
  return {
    [`${LABEL_PREFIX}managed`]: 'true',
    [`${LABEL_PREFIX}release`]: stamp.release,
    [`${LABEL_PREFIX}version`]: stamp.version,
    [`${LABEL_PREFIX}commit`]: stamp.commit,
    [`${LABEL_PREFIX}deployed-by`]: stamp.deployedBy,
    [`${LABEL_PREFIX}deployed-at`]: stamp.deployedAt,
  };
}

/** A container's labels: compose's (one-shot containers are `oneoff=True`, as `compose run` marks them) and ours. */
export function containerLabels(project: string, service: ServiceName, stamp: DeployStamp): Record<string, string> {
  return {
    [COMPOSE.project]: project,
    [COMPOSE.service]: service,
    [COMPOSE.containerNumber]: '1',
    [COMPOSE.oneoff]: service === 'initdb' ? 'True' : 'False',
    ...ownLabels(stamp),
  };
}

/** The network's labels: compose's own key for its `default` network, so compose accepts it as its own. */
export function networkLabels(project: string, stamp: DeployStamp): Record<string, string> {
  return { [COMPOSE.project]: project, [COMPOSE.network]: 'default', ...ownLabels(stamp) };
}

export function volumeLabels(project: string, stamp: DeployStamp): Record<string, string> {
  return { [COMPOSE.project]: project, [COMPOSE.volume]: 'db_data', ...ownLabels(stamp) };
}
