import type { ContainerSpec, NetworkStep, VolumeStep } from './plan-types.js';

/**
 * The translation of plan steps to Docker Engine API bodies
 * (`POST /containers/create`, `/networks/create`, `/volumes/create`), in the
 * shape dockerode's `createContainer`, `createNetwork` and `createVolume`
 * take. Pure; only the executor calls these, at the edge.
 */

export interface DockerHealthConfig {
  /** `['NONE']` switches the image's check off. */
  Test: string[];
  /** Nanoseconds, as the Engine API counts them. */
  Interval?: number;
  Timeout?: number;
  Retries?: number;
  StartPeriod?: number;
  /** Engine API 1.44+; older engines ignore it and check every Interval. */
}

export interface DockerContainerCreateOptions {
  name: string;
  Image: string;
  Cmd?: string[];
  /** `NAME=value`, secret values in clear: never log this object. */
  Env: string[];
  Labels: Record<string, string>;
  ExposedPorts: Record<string, Record<string, never>>;
  Healthcheck?: DockerHealthConfig;
  HostConfig: {
    NetworkMode: string;
    PortBindings: Record<string, { HostIp: string; HostPort: string }[]>;
    Mounts: { Type: 'volume'; Source: string; Target: string }[];
    RestartPolicy: { Name: 'unless-stopped' | 'no' };
    LogConfig: { Type: 'json-file'; Config: Record<string, string> };
    SecurityOpt: string[];
    CapDrop: string[];
    CapAdd: string[];
    ReadonlyRootfs: boolean;
    Tmpfs: Record<string, string>;
    /** Bytes; MemorySwap equal to it means no swap beyond the limit. */
    Memory: number;
    MemorySwap: number;
    PidsLimit: number;
  };
  /** Absent when the container shares another's network namespace. */
  NetworkingConfig?: { EndpointsConfig: Record<string, { Aliases: string[] }> };
}

const NS_PER_SECOND = 1_000_000_000;

/**
 * Engine API create options for a container of the plan. This is where a
 * Secret is revealed, because the engine needs the value: hand the result to
 * dockerode and nowhere else.
 */
export function toDockerCreateOptions(spec: ContainerSpec): DockerContainerCreateOptions {
  const exposed: DockerContainerCreateOptions['ExposedPorts'] = {};
  const bindings: DockerContainerCreateOptions['HostConfig']['PortBindings'] = {};
  for (const port of spec.ports) {
    const key = `${port.containerPort}/${port.protocol}`;
    exposed[key] = {};
    (bindings[key] ??= []).push({ HostIp: port.hostIp, HostPort: String(port.hostPort) });
  }
  const health = spec.healthcheck;
  const { network } = spec;
  return {
    name: spec.name,
    Image: spec.image,
    ...(spec.command ? { Cmd: [...spec.command] } : {}),
    Env: Object.entries(spec.env).map(([name, value]) => `${name}=${typeof value === 'string' ? value : value.reveal()}`),
    Labels: { ...spec.labels },
    ExposedPorts: exposed,
    ...(health === 'none' ? { Healthcheck: { Test: ['NONE'] } } : {}),
    ...(health && health !== 'none'
      ? {
          Healthcheck: {
            Test: ['CMD', ...health.command],
            Interval: health.intervalSeconds * NS_PER_SECOND,
            Timeout: health.timeoutSeconds * NS_PER_SECOND,
            Retries: health.retries,
            StartPeriod: health.startPeriodSeconds * NS_PER_SECOND,
          },
        }
      : {}),
    HostConfig: {
      NetworkMode: 'namespaceOf' in network ? `container:${network.namespaceOf}` : network.name,
      PortBindings: bindings,
      Mounts: spec.mounts.map((m) => ({ Type: 'volume', Source: m.volume, Target: m.target })),
      RestartPolicy: { Name: spec.restart },
      LogConfig: { Type: spec.logging.driver, Config: { 'max-size': spec.logging.maxSize, 'max-file': String(spec.logging.maxFile) } },
      SecurityOpt: spec.security.noNewPrivileges ? ['no-new-privileges'] : [],
      CapDrop: ['ALL'],
      CapAdd: [...spec.security.capAdd],
      ReadonlyRootfs: spec.security.readOnlyRootfs,
      Tmpfs: { ...spec.security.tmpfs },
      Memory: spec.limits.memoryBytes,
      MemorySwap: spec.limits.memoryBytes,
      PidsLimit: spec.limits.pids,
    },
    ...('namespaceOf' in network ? {} : { NetworkingConfig: { EndpointsConfig: { [network.name]: { Aliases: [...network.aliases] } } } }),
  };
}

export interface DockerNetworkCreateOptions {
  Name: string;
  Driver: string;
  Labels: Record<string, string>;
}

export function toDockerNetworkOptions(step: NetworkStep): DockerNetworkCreateOptions {
  return { Name: step.name, Driver: step.driver, Labels: { ...step.labels } };
}

export interface DockerVolumeCreateOptions {
  Name: string;
  Driver: string;
  Labels: Record<string, string>;
}

export function toDockerVolumeOptions(step: VolumeStep): DockerVolumeCreateOptions {
  return { Name: step.name, Driver: step.driver, Labels: { ...step.labels } };
}
