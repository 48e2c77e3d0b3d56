import dgram from 'node:dgram';
import net, { type AddressInfo } from 'node:net';

/** A UDP and a TCP receiver on 127.0.0.1 that count what reaches them. */
export async function startReceivers() {
  const udpLines: string[] = [];
  const udp = dgram.createSocket('udp4');
  udp.on('message', (message) => udpLines.push(message.toString('utf8')));
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
  let tcpConnections = 0;
  const sockets = new Set<net.Socket>();
  const tcp = net.createServer((socket) => {
    tcpConnections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  return {
    udpPort: udp.address().port,
    tcpPort: (tcp.address() as AddressInfo).port,
    udpLines,
    tcpConnections: () => tcpConnections,
    async close() {
      for (const socket of sockets) socket.destroy();
      await Promise.all([new Promise<void>((resolve) => udp.close(() => resolve())), new Promise((resolve) => tcp.close(resolve))]);
    },
  };
}

export type Receivers = Awaited<ReturnType<typeof startReceivers>>;
