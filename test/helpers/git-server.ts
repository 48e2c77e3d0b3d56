import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

export interface GitServer {
  /** `git://127.0.0.1:<port>/<name of the bare repository>`. */
  url: string;
  /** From now on, new connections are accepted and then never answered: a remote that hangs mid-way. */
  stall(): void;
  /** Resolves at the next connection. */
  nextConnection(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real git:// remote for one bare repository: each connection is served by
 * `git daemon --inetd`, until `stall()` makes later ones hang. Deploy's
 * preflight reads the tag first; a stall after that catches its clone.
 */
export async function startGitServer(bare: string): Promise<GitServer> {
  let stalled = false;
  let waiters: (() => void)[] = [];
  const sockets = new Set<net.Socket>();
  const daemons = new Set<ChildProcess>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    for (const wake of waiters) wake();
    waiters = [];
    if (stalled) return;
    const daemon = spawn('git', ['daemon', '--inetd', '--export-all', `--base-path=${path.dirname(bare)}`], { stdio: ['pipe', 'pipe', 'ignore'] });
    daemons.add(daemon);
    daemon.on('exit', () => {
      daemons.delete(daemon);
      socket.end();
    });
    daemon.stdin.on('error', () => undefined);
    socket.pipe(daemon.stdin);
    daemon.stdout.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `git://127.0.0.1:${port}/${path.basename(bare)}`,
    stall: () => {
      stalled = true;
    },
    nextConnection: () => new Promise<void>((resolve) => waiters.push(resolve)),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      for (const daemon of daemons) daemon.kill('SIGKILL');
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
