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

/**
 * A real bare repository `<dir>/jobmon.git` with one commit holding
 * `ports.json` (this text) and the lightweight tag `tag`; returns its path
 * and the commit.
 */
export async function makeTaggedBareRepo(dir: string, portsJson: string, tag: string): Promise<{ bare: string; commit: string }> {
  const { mkdir, writeFile } = await import('node:fs/promises');
  const { execa } = await import('execa');
  const work = path.join(dir, 'work');
  const bare = path.join(dir, 'jobmon.git');
  await mkdir(work);
  const env = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
  const git = (...args: string[]) => execa('git', args, { cwd: work, env });
  await git('init', '-q', '-b', 'main');
  await writeFile(path.join(work, 'ports.json'), portsJson);
  await git('add', '.');
  await git('commit', '-q', '-m', tag);
  await git('tag', tag);
  const commit = (await git('rev-parse', 'HEAD')).stdout.trim();
  await execa('git', ['clone', '-q', '--bare', work, bare]);
  return { bare, commit };
}
