import type { ConfiguredLimits } from '../config.js';
import type { ContainerLimits, ContainerSecurity, ServiceName } from './plan-types.js';

/**
 * What each container may do (issue: hardening, item 8). Every container
 * starts with no capability and `no-new-privileges`; each one added back is
 * here with the reason it is needed, found by running the stack on the
 * engine with it taken away.
 */

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

/**
 * Defaults, well above what the stack uses (idle: the DB about 90 MiB and 13
 * threads, each Node process about 30 MiB and 11 threads), so a busy release
 * is not cut short; `limits` in the configuration changes them.
 */
export const DEFAULT_LIMITS: Record<ServiceName, ContainerLimits> = {
  db: { memoryBytes: 2 * GIB, pids: 1024 },
  jobmon: { memoryBytes: 1 * GIB, pids: 256 },
  monitor: { memoryBytes: 512 * MIB, pids: 128 },
  initdb: { memoryBytes: 512 * MIB, pids: 128 },
};

/** The default limits with the configured ones over them. */
export function containerLimits(service: ServiceName, configured: ConfiguredLimits | undefined): ContainerLimits {
  const own = configured?.[service];
  return {
    memoryBytes: own?.memory ?? DEFAULT_LIMITS[service].memoryBytes,
    pids: own?.pids ?? DEFAULT_LIMITS[service].pids,
  };
}

/**
 * The DB image's entry point starts as root only to hand the server's
 * folders to the mysql user and switch to it (templates/mariadb-entrypoint.sh):
 * - CHOWN: `chown mysql:mysql` of the data directory (a volume made by an
 *   older image, or by hand, may belong to someone else) and of /run/mysqld;
 * - SETUID, SETGID: `setpriv` to the mysql user and its groups.
 * After that no process in the container holds a capability. Its root
 * filesystem stays writable: the server keeps its socket and pid file in
 * /run/mysqld and its temporary tables in /tmp, and `dump --in-container`
 * and `restore` write their option file under /tmp.
 */
const DB: ContainerSecurity = { noNewPrivileges: true, capAdd: ['CHOWN', 'SETGID', 'SETUID'], readOnlyRootfs: false, tmpfs: {} };

/**
 * The server image runs as user 10001 and needs no capability: the web
 * service binds port 80 because the engine lets any user bind low ports in a
 * container's own network namespace (net.ipv4.ip_unprivileged_port_start=0),
 * so no NET_BIND_SERVICE; initdb and the monitor only open client
 * connections. None of them writes a file (logs go to stdout), so the root
 * filesystem is read-only and there is no tmpfs.
 */
const SERVER: ContainerSecurity = { noNewPrivileges: true, capAdd: [], readOnlyRootfs: true, tmpfs: {} };

export function containerSecurity(service: ServiceName): ContainerSecurity {
  return service === 'db' ? { ...DB, capAdd: [...DB.capAdd] } : { ...SERVER, capAdd: [] };
}

/** Bytes in Docker's units, as the configuration writes them: `2g`, `512m`. */
export function sizeText(bytes: number): string {
  for (const [unit, size] of [['g', GIB], ['m', MIB], ['k', 1024]] as const) if (bytes % size === 0) return `${bytes / size}${unit}`;
  return `${bytes}b`;
}

/** One line for --dry-run: `no-new-privileges, capabilities CHOWN, SETGID, SETUID only, writable root filesystem`. */
export function describeSecurity(security: ContainerSecurity): string {
  const caps = security.capAdd.length ? `capabilities ${security.capAdd.join(', ')} only` : 'no capabilities';
  const root = security.readOnlyRootfs ? 'read-only root filesystem' : 'writable root filesystem';
  const tmpfs = Object.entries(security.tmpfs).map(([target, options]) => `, tmpfs ${target} (${options})`).join('');
  return `${security.noNewPrivileges ? 'no-new-privileges, ' : ''}${caps}, ${root}${tmpfs}`;
}
