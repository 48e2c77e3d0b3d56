import net, { type AddressInfo, type Socket } from 'node:net';

export interface PausableProxy {
  port: number;
  /**
   * The database stops answering. New connections are accepted and left
   * unanswered. Open ones are cut (`cut`: the peer's host is gone) or left
   * open with nothing passing either way (`freeze`: a paused container or a
   * dead link, where a query in flight just waits).
   */
  pause(mode: 'cut' | 'freeze'): void;
  /** Frozen and held connections pass bytes again; new ones are forwarded. */
  resume(): void;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket;
}

const link = ({ client, upstream }: Pair) => {
  client.pipe(upstream);
  upstream.pipe(client);
};

const unlink = ({ client, upstream }: Pair) => {
  client.unpipe(upstream);
  upstream.unpipe(client);
  client.pause();
  upstream.pause();
};

/**
 * A TCP forwarder on 127.0.0.1 to `target` that a test can pause, so a real
 * server sees its real database stop answering without stopping the
 * database that other tests share.
 */
export async function startPausableProxy(target: { host: string; port: number }): Promise<PausableProxy> {
  let paused = false;
  const pairs = new Set<Pair>();
  let held: Socket[] = [];
  const forward = (client: Socket) => {
    const pair = { client, upstream: net.connect(target.port, target.host) };
    pairs.add(pair);
    for (const socket of [pair.client, pair.upstream]) {
      socket.on('error', () => undefined);
      socket.on('close', () => {
        pairs.delete(pair);
        pair.client.destroy();
        pair.upstream.destroy();
      });
    }
    link(pair);
  };
  const server = net.createServer((client) => {
    client.on('error', () => undefined);
    if (paused) held.push(client);
    else forward(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    pause(mode) {
      paused = true;
      for (const pair of pairs) {
        if (mode === 'cut') pair.client.destroy();
        else unlink(pair);
      }
    },
    resume() {
      paused = false;
      for (const pair of pairs) link(pair);
      const waiting = held;
      held = [];
      for (const client of waiting) if (!client.destroyed) forward(client);
    },
    async close() {
      for (const pair of pairs) pair.client.destroy();
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
