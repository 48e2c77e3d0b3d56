import { readdir, readFile, readlink } from 'node:fs/promises';
import net from 'node:net';

/** Whether a host port can be bound, and if not, by whom it is held (when this machine can tell). */
export type PortProbe = { free: true } | { free: false; code: string; by?: string };

/**
 * Tries to listen on `host:port` and closes again at once: a result, never a
 * throw (STYLE: vite's http.ts). Binding 127.0.0.1 fails when another
 * process holds 0.0.0.0 on that port, and the other way round, as the engine's
 * own bind would.
 */
export async function probePort(host: string, port: number): Promise<PortProbe> {
  const code = await new Promise<string | undefined>((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
  if (code === undefined) return { free: true };
  const by = code === 'EADDRINUSE' ? await listenerOf(port) : undefined;
  return by === undefined ? { free: false, code } : { free: false, code, by };
}

/** Inodes of the sockets listening on `port`, from /proc/net/tcp and tcp6 (Linux). */
async function listeningInodes(port: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(file, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // local_address is HEXIP:HEXPORT, st 0A is LISTEN, inode is column 10.
      if (cols[1]?.endsWith(`:${hexPort}`) && cols[3] === '0A' && cols[9]) inodes.add(cols[9]);
    }
  }
  return inodes;
}

/**
 * `name (pid N)` of the process listening on `port`, found by matching the
 * socket's inode among the open files in /proc; undefined when that cannot be
 * read (another user's process, or not Linux).
 */
export async function listenerOf(port: number): Promise<string | undefined> {
  const inodes = await listeningInodes(port);
  if (inodes.size === 0) return undefined;
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((p) => /^\d+$/.test(p));
  for (const pid of pids) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
      if (inode && inodes.has(inode)) {
        const name = (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '?')).trim();
        return `${name} (pid ${pid})`;
      }
    }
  }
  return undefined;
}
