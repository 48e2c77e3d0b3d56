import net, { type AddressInfo, type Socket } from 'node:net';

export interface PausableProxy {
  port: number;
  /** The database "hangs": open connections are cut, new ones are accepted and then left unanswered. */
  pause(): void;
  /** Held and new connections are forwarded again. */
  resume(): void;
  close(): Promise<void>;
}

/**
 * A TCP forwarder on 127.0.0.1 to `target` that a test can pause, so a real
 * server sees its real database stop answering (as a paused container or a
 * dead link does: connects succeed, then nothing) without stopping the
 * database that other tests share.
 */
export async function startPausableProxy(target: { host: string; port: number }): Promise<PausableProxy> {
  let paused = false;
  const live = new Set<Socket>();
  let held: Socket[] = [];
  const track = (socket: Socket, set: Set<Socket>) => {
    set.add(socket);
    socket.on('close', () => set.delete(socket));
    socket.on('error', () => undefined);
  };
  const forward = (client: Socket) => {
    const upstream = net.connect(target.port, target.host);
    track(client, live);
    track(upstream, live);
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  };
  const server = net.createServer((client) => {
    client.on('error', () => undefined);
    if (paused) held.push(client);
    else forward(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    pause() {
      paused = true;
      for (const socket of live) socket.destroy();
    },
    resume() {
      paused = false;
      const waiting = held;
      held = [];
      for (const client of waiting) if (!client.destroyed) forward(client);
    },
    async close() {
      for (const socket of [...live, ...held]) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
