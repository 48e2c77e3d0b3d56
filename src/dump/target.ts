import type { OperatorConfig } from '../config.js';
import { UsageError } from '../errors.js';
import { allReleases, displayName, projectName, versionOf, type ReleaseRef } from '../registry/release.js';
import { describeMatch, findReleases, resolveRelease, serverReleaseOf } from '../registry/resolve.js';
import { PORT_COLUMN, type Registry } from '../registry/schema.js';

/** The database a dump or restore works on. */
export interface DbTarget {
  /** The release whose database it is: a client-only alias is replaced by its server release (decisions.md 9). */
  release: ReleaseRef;
  /** The client-only release the reference named, if it was one. */
  aliasOf?: ReleaseRef;
  /** The published DB port. */
  port: number;
  version?: string;
  /** The compose project (`jobmon087`), for releases with a semver tag. */
  project?: string;
}

/** Every registered DB port, by host: `h1: <port>, <port>; h2: <port>`. */
export function knownDbPorts(registry: Registry, host?: string): string {
  const byHost = new Map<string, number[]>();
  for (const ref of allReleases(registry)) {
    if (host !== undefined && ref.host !== host) continue;
    if (typeof ref.release.db !== 'number' || ref.release.server !== undefined) continue;
    const ports = byHost.get(ref.host) ?? [];
    if (!ports.includes(ref.release.db)) ports.push(ref.release.db);
    byHost.set(ref.host, ports);
  }
  if (byHost.size === 0) return 'none';
  return [...byHost].map(([h, ports]) => `${h}: ${ports.join(', ')}`).join('; ');
}

/** The release whose DB port is `port`, else a UsageError listing the known DB ports. */
function byDbPort(registry: Registry, port: number, host?: string): { release: ReleaseRef; aliasOf?: ReleaseRef } {
  const where = host ? ` on ${host}` : '';
  const matches = findReleases(registry, String(port), host === undefined ? {} : { host });
  const db = matches.filter((m) => m.field === 'db');
  if (db.length === 0) {
    const other = matches[0];
    const what = other?.field ? ` (${port} is the ${PORT_COLUMN[other.field]} port of ${describeMatch(other)})` : '';
    throw new UsageError(`no release has DB port ${port}${where} in the registry${what}; the known DB ports are ${knownDbPorts(registry, host)}`);
  }
  // A client-only release shares its server's ports: both name the one database.
  const servers = db.map((m) => serverReleaseOf(registry, m));
  const distinct = servers.filter((s, i) => servers.findIndex((o) => o.release.host === s.release.host && o.release.index === s.release.index) === i);
  if (distinct.length > 1) {
    const list = distinct.map((s) => describeMatch(s.release)).join('; ');
    throw new UsageError(`DB port ${port} is ambiguous: ${list}; pass --host, or name the release by its tag`);
  }
  const only = distinct[0]!;
  // Named by a port, an alias is no more than its server: no "client-only" note.
  return { release: only.release };
}

/** The release of `dump <release>` / `dump --port <port>` / `restore <release>` (decisions.md 5, 9). */
export function resolveDbTarget(registry: Registry, input: { ref?: string; port?: number; host?: string }): DbTarget {
  if (input.ref !== undefined && input.port !== undefined) throw new UsageError('name the database by a release or by --port <db-port>, not both');
  if (input.ref === undefined && input.port === undefined) throw new UsageError('name the database: jobmon-ops dump <release>, or jobmon-ops dump --port <db-port>');
  const found =
    input.port !== undefined
      ? byDbPort(registry, input.port, input.host)
      : serverReleaseOf(registry, resolveRelease(registry, input.ref!, input.host === undefined ? {} : { host: input.host }));
  const { release } = found;
  if (typeof release.release.db !== 'number') {
    throw new UsageError(`${describeMatch(release)} has no DB port in the registry; see jobmon-ops ports show ${displayName(release.release)}`);
  }
  const version = versionOf(release.release.tag);
  return {
    release,
    ...(found.aliasOf ? { aliasOf: found.aliasOf } : {}),
    port: release.release.db,
    ...(version ? { version, project: projectName(version) } : {}),
  };
}

/**
 * Where clients reach a host's published ports (decisions.md 28): its configured
 * `address`, else the host of a remote engine (the host's `engine`, else
 * DOCKER_HOST), else 127.0.0.1 (a local engine). Parsed here rather than by
 * deploy/engine.ts, which would load dockerode for a plain dump.
 */
export function clientAddress(config: OperatorConfig, host: string, env: NodeJS.ProcessEnv): string {
  const configured = config.hosts[host]?.address;
  if (configured) return configured;
  const engine = config.hosts[host]?.engine ?? (env.DOCKER_HOST || 'unix:///var/run/docker.sock');
  let remote: string | undefined;
  try {
    const url = new URL(engine);
    if (url.protocol === 'tcp:' || url.protocol === 'ssh:') remote = url.hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    // not a URL: deploy and the engine commands say so; a dump needs only the address
  }
  return remote === undefined || ['', 'localhost', '127.0.0.1', '::1'].includes(remote) ? '127.0.0.1' : remote;
}
