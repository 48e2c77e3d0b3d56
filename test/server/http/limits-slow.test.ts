import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestServer, type TestServer } from '../../helpers/server.js';

/**
 * Hardening item 13, slow clients: 500 real sockets trickle a request one
 * byte a second, half of them in the headers and half in the body. /health
 * must keep answering within the one second, and the server must cut
 * every one of them off by itself (headers and request timeouts, shortened
 * here from the defaults of 10 s and 30 s so the test is quick). Then the
 * keep-alive timeout and the connection cap, on a server of their own.
 */

const SLOW_CLIENTS = 500;
const HEAD = 'POST /job HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n';

interface SlowClient {
  socket: net.Socket;
  received: string;
  closed: boolean;
  /** What is still to be sent, one byte per tick. */
  rest: string;
}

/** Opens a socket that sends `first` at once, then the rest of `rest` a byte per second. */
function openSlowClient(port: number, first: string, rest: string): Promise<SlowClient> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const client: SlowClient = { socket, received: '', closed: false, rest };
    socket.on('data', (chunk) => (client.received += chunk.toString()));
    socket.on('close', () => (client.closed = true));
    socket.on('error', () => undefined);
    socket.once('connect', () => {
      if (first) socket.write(first);
      resolve(client);
    });
    socket.once('error', reject);
  });
}

async function waitFor(condition: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) if (condition()) return true;
  return condition();
}

describe('500 clients trickling a request a byte a second', () => {
  let server: TestServer;
  const clients: SlowClient[] = [];
  let ticker: NodeJS.Timeout | undefined;
  beforeAll(async () => {
    server = await startTestServer('limits_slow', { limits: { headersTimeoutMs: 2_000, requestTimeoutMs: 3_000 } });
  });
  afterAll(async () => {
    clearInterval(ticker);
    for (const client of clients) client.socket.destroy();
    await server?.close();
  });

  it('do not keep /health from answering within a second, and are all cut off by the server', async () => {
    const port = Number(new URL(server.url).port);
    const body = `{"pad":"${'x'.repeat(1000 - 10)}"}`;
    for (let i = 0; i < SLOW_CLIENTS; i += 50) {
      clients.push(
        ...(await Promise.all(Array.from({ length: 50 }, (_, j) => ((i + j) % 2 === 0 ? openSlowClient(port, '', HEAD) : openSlowClient(port, HEAD, body))))),
      );
    }
    ticker = setInterval(() => {
      for (const client of clients) {
        if (client.closed || client.rest === '') continue;
        client.socket.write(client.rest[0]!);
        client.rest = client.rest.slice(1);
      }
    }, 1_000);

    // /health while the slow clients hold their sockets: each answer must come within 1 s.
    const openAtFirstHealth: number[] = [];
    for (let i = 0; i < 5; i++) {
      openAtFirstHealth.push(clients.filter((client) => !client.closed).length);
      const response = await fetch(`${server.url}/health`, { signal: AbortSignal.timeout(1_000) });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: 'ok' });
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(openAtFirstHealth[0]).toBe(SLOW_CLIENTS);

    // Cut off at about 2 s (headers) or 3 s (body), checked every second: 15 s is ample.
    expect(await waitFor(() => clients.every((client) => client.closed), 15_000)).toBe(true);
    // None of them got to send its whole request, and each was told why.
    expect(clients.filter((client) => client.rest === '').length).toBe(0);
    const answers = new Map<string, number>();
    for (const client of clients) {
      const statusLine = client.received.split('\r\n', 1)[0] ?? '';
      answers.set(statusLine, (answers.get(statusLine) ?? 0) + 1);
    }
    expect(Object.fromEntries(answers)).toEqual({ 'HTTP/1.1 408 Request Timeout': SLOW_CLIENTS });
    // No request reached a handler: the job table is still empty.
    expect((await server.admin.query('SELECT COUNT(*) AS n FROM job'))[0]).toEqual([{ n: 0 }]);
    // And the server still serves.
    expect((await call(server, 'GET', '/health')).status).toBe(200);
  });
});

describe('idle and excess connections', () => {
  let server: TestServer;
  const sockets: net.Socket[] = [];
  beforeAll(async () => {
    server = await startTestServer('limits_conn', { limits: { keepAliveTimeoutMs: 500, maxConnections: 5 } });
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await server?.close();
  });

  const open = () =>
    new Promise<{ socket: net.Socket; closed: () => boolean; received: () => string }>((resolve) => {
      const socket = net.connect(Number(new URL(server.url).port), '127.0.0.1');
      sockets.push(socket);
      let closed = false;
      let received = '';
      socket.on('data', (chunk) => (received += chunk.toString()));
      socket.on('close', () => (closed = true));
      socket.on('error', () => undefined);
      socket.once('connect', () => resolve({ socket, closed: () => closed, received: () => received }));
    });

  it('a kept-alive connection is closed after the keep-alive timeout', async () => {
    const client = await open();
    client.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await waitFor(() => client.received().includes('Yes, I am alive'), 5_000)).toBe(true);
    expect(client.closed()).toBe(false);
    expect(await waitFor(() => client.closed(), 5_000)).toBe(true);
    client.socket.destroy();
  });

  it('beyond MAX_CONNECTIONS a new connection is closed unanswered; once one ends, the next is served', async () => {
    const held = await Promise.all(Array.from({ length: 5 }, () => open()));
    const extra = await open();
    extra.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await waitFor(() => extra.closed(), 5_000)).toBe(true);
    expect(extra.received()).toBe('');
    held[0]!.socket.destroy();
    await waitFor(() => held[0]!.closed(), 5_000);
    await new Promise((r) => setTimeout(r, 100));
    const next = await open();
    next.socket.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(await waitFor(() => next.received().includes('Yes, I am alive'), 5_000)).toBe(true);
  });
});
