import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import type { OperatorConfig } from '../config.js';
import { UsageError } from '../errors.js';

/** Where the engine is when nothing says otherwise (decisions.md 2). */
export const DEFAULT_ENGINE = 'unix:///var/run/docker.sock';

/** A Docker engine endpoint, parsed: what `connectEngine` hands to dockerode. */
export type EngineEndpoint =
  | { kind: 'unix'; url: string; socketPath: string }
  | { kind: 'tcp'; url: string; host: string; port: number; tls: boolean }
  | { kind: 'ssh'; url: string; host: string; port: number; username?: string };

export interface EngineSource {
  env: NodeJS.ProcessEnv;
  config: OperatorConfig;
  /** The Docker host (a registry host name); its `engine` entry in the configuration wins. */
  host?: string;
}

/** The endpoint URL to use: the host's configured engine, else `DOCKER_HOST`, else the default socket. */
export function engineUrl({ env, config, host }: EngineSource): string {
  const configured = host === undefined ? undefined : config.hosts[host]?.engine;
  return configured ?? (env.DOCKER_HOST || DEFAULT_ENGINE);
}

/**
 * Parses `unix:///path`, `tcp://host:port` (TLS when `DOCKER_TLS_VERIFY` is set,
 * as the docker CLI does) and `ssh://user@host[:port]`; anything else is a UsageError.
 */
export function parseEndpoint(url: string, env: NodeJS.ProcessEnv = {}): EngineEndpoint {
  const bad = (why: string) =>
    new UsageError(`cannot use the Docker engine endpoint "${url}": ${why}; use unix:///var/run/docker.sock, tcp://HOST:PORT or ssh://USER@HOST`);
  if (url.startsWith('unix://')) {
    const socketPath = url.slice('unix://'.length);
    if (!socketPath.startsWith('/')) throw bad('a unix socket needs an absolute path');
    return { kind: 'unix', url, socketPath };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw bad('not a URL');
  }
  if (parsed.protocol !== 'tcp:' && parsed.protocol !== 'ssh:') throw bad(`unsupported scheme ${parsed.protocol.replace(/:$/, '')}`);
  if (!parsed.hostname) throw bad('no host name');
  const port = parsed.port === '' ? undefined : Number(parsed.port);
  if (parsed.protocol === 'tcp:') {
    const tls = (env.DOCKER_TLS_VERIFY ?? '') !== '';
    return { kind: 'tcp', url, host: parsed.hostname, port: port ?? (tls ? 2376 : 2375), tls };
  }
  const user = decodeURIComponent(parsed.username);
  return { kind: 'ssh', url, host: parsed.hostname, port: port ?? 22, ...(user ? { username: user } : {}) };
}

/**
 * Every connection option spelled out: docker-modem otherwise merges in
 * `process.env.DOCKER_HOST`, which must not override the endpoint we chose.
 */
export function dockerOptions(endpoint: EngineEndpoint, env: NodeJS.ProcessEnv): Docker.DockerOptions {
  const none = { socketPath: undefined, host: undefined, port: undefined, protocol: undefined, ca: undefined, cert: undefined, key: undefined };
  if (endpoint.kind === 'unix') return { ...none, socketPath: endpoint.socketPath };
  if (endpoint.kind === 'ssh') {
    return {
      ...none,
      protocol: 'ssh',
      host: endpoint.host,
      port: endpoint.port,
      ...(endpoint.username ? { username: endpoint.username } : {}),
      // The ssh agent holds the key, as for `docker -H ssh://...`.
      sshOptions: env.SSH_AUTH_SOCK ? { agent: env.SSH_AUTH_SOCK } : {},
    };
  }
  if (!endpoint.tls) return { ...none, protocol: 'http', host: endpoint.host, port: endpoint.port };
  const certs = env.DOCKER_CERT_PATH || path.join(env.HOME || homedir(), '.docker');
  const read = (name: string) => {
    try {
      return readFileSync(path.join(certs, name));
    } catch {
      throw new UsageError(`DOCKER_TLS_VERIFY is set but ${path.join(certs, name)} cannot be read; set DOCKER_CERT_PATH to the folder holding ca.pem, cert.pem and key.pem`);
    }
  };
  return { ...none, protocol: 'https', host: endpoint.host, port: endpoint.port, ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem') };
}

/** A Dockerode client for the chosen engine; nothing is contacted yet. */
export function connectEngine(source: EngineSource): { docker: Docker; endpoint: EngineEndpoint } {
  const endpoint = parseEndpoint(engineUrl(source), source.env);
  return { docker: new Docker(dockerOptions(endpoint, source.env)), endpoint };
}

/** Preflight: the engine answers `/_ping` within `timeoutMs`, else a one-line UsageError naming the endpoint (exit 2). */
export async function ensureEngineReachable(docker: Docker, endpoint: EngineEndpoint, timeoutMs = 10_000): Promise<void> {
  try {
    // dockerode takes an abort signal here; its types do not say so.
    const ping = docker.ping.bind(docker) as unknown as (options: { abortSignal: AbortSignal }) => Promise<unknown>;
    await ping({ abortSignal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const err = error as NodeJS.ErrnoException & { statusCode?: number };
    const why = err.name === 'TimeoutError' || err.name === 'AbortError' ? `no answer within ${timeoutMs / 1000} s` : (err.code ?? err.statusCode ?? err.message);
    const fix =
      endpoint.kind === 'unix'
        ? 'start it (as root: bash scripts/test-docker.sh, or dockerd), or set DOCKER_HOST or the host\'s "engine" in the configuration'
        : 'check that it runs and is reachable, or fix DOCKER_HOST or the host\'s "engine" in the configuration';
    throw new UsageError(`the Docker engine at ${endpoint.url} does not answer (${String(why).split('\n')[0]}); ${fix}`);
  }
}
