import type { Secret } from '../server/secret.js';

/**
 * The deploy plan, as plain data (STYLE: plan as data, execute at the edge).
 * It says what to create, in which order and with which gates, in our own
 * terms; `docker-spec.ts` translates it to Engine API options and the
 * executor applies it. Secret values stay `Secret` objects, so printing or
 * JSON-encoding a plan shows `[REDACTED]`.
 */

/** The compose services of a stack; `initdb` is the one-shot. */
export type ServiceName = 'db' | 'jobmon' | 'monitor' | 'initdb';

/** What to do when a resource of that name already exists on the engine. */
export type OnExisting = 'reuse' | 'replace' | 'fail';

export type EnvValue = string | Secret;

export interface PortBinding {
  /** The registry's column name: `db`, `jqs`, `jsm-1`, `jsm-2`. */
  name: string;
  hostIp: string;
  hostPort: number;
  containerPort: number;
  protocol: 'tcp';
}

export interface Healthcheck {
  /** Run inside the container (exec form, no shell); never carries a secret. */
  command: string[];
  intervalSeconds: number;
  timeoutSeconds: number;
  retries: number;
  /** Failures in this window do not count. */
  startPeriodSeconds: number;
}

/** Linux capabilities a container gets back after all are dropped (names without `CAP_`). */
export type Capability = 'CHOWN' | 'SETGID' | 'SETUID';

/** What the container's processes may do; reasons per service in container-hardening.ts. */
export interface ContainerSecurity {
  /** `no-new-privileges`: no setuid binary or file capability can raise a process's rights. */
  noNewPrivileges: true;
  /** Every capability is dropped, then these are added back. */
  capAdd: Capability[];
  /** The image's filesystem cannot be written; only volumes and `tmpfs` can. */
  readOnlyRootfs: boolean;
  /** tmpfs mounts: path -> mount options (`size=16m,mode=1777`). */
  tmpfs: Record<string, string>;
}

/** Resource limits; the configuration's `limits` change the defaults. */
export interface ContainerLimits {
  /** Memory, swap included (none beyond it). */
  memoryBytes: number;
  /** Processes and threads. */
  pids: number;
}

export interface ContainerSpec {
  name: string;
  service: ServiceName;
  image: string;
  /** Replaces the image's default command: the arguments of its entry point (jobmon-server for the server image); absent: the image's own. */
  command?: string[];
  /** In this order; a Secret value goes to the engine only, never to output. */
  env: Record<string, EnvValue>;
  ports: PortBinding[];
  mounts: { volume: string; target: string }[];
  labels: Record<string, string>;
  /**
   * A network the container joins under these aliases, or (`namespaceOf`)
   * another container's network namespace, where that container is 127.0.0.1.
   */
  network: { name: string; aliases: string[] } | { namespaceOf: string };
  restart: 'unless-stopped' | 'no';
  logging: { driver: 'json-file'; maxSize: string; maxFile: number };
  /** Absent: the image's own check; `none` switches the image's check off. */
  healthcheck?: Healthcheck | 'none';
  security: ContainerSecurity;
  limits: ContainerLimits;
}

export interface ImageStep {
  kind: 'image';
  role: 'server' | 'db';
  /** Tagged by commit (decisions.md 25): reused when present, else built from the tag's checkout. */
  image: string;
  /** `--base-image`; absent: the recorded offline base or the public one (decided when building). */
  baseImage?: string;
  onExisting: 'reuse';
}

export interface NetworkStep {
  kind: 'network';
  name: string;
  driver: 'bridge';
  labels: Record<string, string>;
  onExisting: 'reuse';
}

export interface VolumeStep {
  kind: 'volume';
  name: string;
  driver: 'local';
  labels: Record<string, string>;
  /** A volume that exists keeps its data and its recorded passwords (decisions.md 23). */
  onExisting: 'reuse';
}

/** Create and start a long-running container. */
export interface ContainerStep {
  kind: 'container';
  container: ContainerSpec;
  /** `replace` with --redeploy; otherwise an existing container is an error. */
  onExisting: OnExisting;
}

/** Create and start a container that runs once; its exit code is gated by the next wait step. */
export interface OneshotStep {
  kind: 'oneshot';
  container: ContainerSpec;
  onExisting: 'replace';
  /** Remove the stopped container once its gate passed (its logs stay until then). */
  removeOnSuccess: boolean;
}

/** How a wait step decides that its container is ready. */
export type WaitCheck =
  /** The container's own healthcheck reports healthy. */
  | { type: 'healthcheck' }
  /** The container exited with this code. */
  | { type: 'exit'; code: number }
  /** GET `path` answers `status`, on the service port (published on the host as `publishedPort`). */
  | { type: 'http'; path: string; status: number; containerPort: number; publishedPort: number }
  /** The web service's `path` reports a monitor poll completed after the monitor started (decisions.md 19). */
  | { type: 'monitor-poll'; path: string; containerPort: number; publishedPort: number };

export type WaitGate = 'db-ready' | 'initdb-done' | 'web-healthy' | 'monitor-polling';

export interface WaitStep {
  kind: 'wait';
  gate: WaitGate;
  /** The container whose readiness is awaited (and whose logs a failure shows). */
  container: string;
  check: WaitCheck;
  timeoutSeconds: number;
}

export type DeployStep = ImageStep | NetworkStep | VolumeStep | ContainerStep | OneshotStep | WaitStep;

/** A whole deployment of one release on one Docker host, in execution order. */
export interface DeployPlan {
  release: { tag: string; version: string; label: string; host: string; project: string };
  commit: string;
  deployedBy: string;
  deployedAt: string;
  bindAddress: string;
  redeploy: boolean;
  timeoutSeconds: number;
  images: { server: string; db: string };
  network: string;
  volume: string;
  /** Container names by service. */
  containers: Record<ServiceName, string>;
  steps: DeployStep[];
}
