import dgram from 'node:dgram';
import net, { type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { registerAdminRoutes } from '../../../src/server/routes/admin.js';
import { Secret } from '../../../src/server/secret.js';
import { call as plainCall } from '../../helpers/server.js';

/** These cases are about what the routes do once the operator has turned them on (admin-token.test.ts: the gate). */
const TOKEN = 'admin-test-token-0123456789abcdef';
const call = (server: { url: string }, method: string, path: string, body?: unknown) =>
  plainCall(server, method, path, body ?? (method === 'POST' ? {} : undefined), { authorization: `Bearer ${TOKEN}` });

const quiet = () => new Writable({ write: (_chunk, _encoding, done) => done() });
const LINE = /^<(\d+)>1 \S+ \S+ jobmon-server \d+ request - (.*)$/;

/** The admin routes on an app with a real pino logger and two plain routes registered before them. */
async function startAdminApp(logger: false | { level: string } = { level: 'info' }) {
  const app = Fastify({ logger: logger && { ...logger, stream: quiet() } });
  app.post('/ping', async () => ({ ok: true }));
  app.get('/boom', async () => {
    throw new Error('boom');
  });
  registerAdminRoutes(app, { token: new Secret(TOKEN), allowTcpSyslog: true });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url };
}

/** Collects lines a receiver gets; `next` waits for one that matches. */
function collector() {
  const lines: string[] = [];
  return {
    lines,
    push: (text: string) => lines.push(...text.split('\n').filter(Boolean)),
    async next(pattern: RegExp, ms = 3_000) {
      for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 20))) {
        const hit = lines.find((line) => pattern.test(line));
        if (hit) return hit;
      }
      throw new Error(`no syslog line matching ${pattern}; got ${JSON.stringify(lines)}`);
    },
  };
}

describe('admin routes', () => {
  const cleanup: Array<() => Promise<unknown> | void> = [];
  const started = async (logger?: false | { level: string }) => {
    const server = await startAdminApp(logger);
    cleanup.push(() => server.app.close());
    return server;
  };
  afterEach(async () => {
    // In order: each app first (it closes its syslog sockets), then the receivers it talked to.
    for (const close of cleanup.splice(0)) await close();
  });

  it('case 9: POST /log_level/<level> is case-insensitive, unknown is NOTSET, and moves the pino level', async () => {
    const { app, url } = await started();
    for (const [given, level, pino] of [
      ['CRITICAL', 'CRITICAL', 'fatal'],
      ['error', 'ERROR', 'error'],
      ['WarNING', 'WARNING', 'warn'],
      ['iNFO', 'INFO', 'info'],
      ['DEBUg', 'DEBUG', 'debug'],
      ['whatever', 'NOTSET', 'info'],
    ]) {
      expect(await call({ url }, 'POST', `/log_level/${given}`)).toMatchObject({ status: 200, body: { msn: `Set server log to ${level}` } });
      expect(await call({ url }, 'GET', '/log_level')).toMatchObject({ status: 200, body: { level } });
      expect(app.log.level).toBe(pino);
    }
  });

  it('GET /log_level starts at WARNING without a logger, else at the level really in force', async () => {
    expect((await call(await started(false), 'GET', '/log_level')).body).toEqual({ level: 'WARNING' });
    expect((await call(await started({ level: 'warn' }), 'GET', '/log_level')).body).toEqual({ level: 'WARNING' });
    expect((await call(await started({ level: 'info' }), 'GET', '/log_level')).body).toEqual({ level: 'INFO' });
  });

  it('POST /debug_on sets DEBUG with the original message', async () => {
    const { app, url } = await started({ level: 'warn' });
    const response = await call({ url }, 'POST', '/debug_on');
    expect(response).toMatchObject({ status: 200, body: { msn: 'The root logger lever has been set to DEBUG. This action is irreversible.' } });
    expect((await call({ url }, 'GET', '/log_level')).body).toEqual({ level: 'DEBUG' });
    expect(app.log.level).toBe('debug');
  });

  it('case 10 over TCP: a bad port is a 400, an unreachable receiver a 500, a real one gets a line per request', async () => {
    const { url } = await started();
    expect((await call({ url }, 'GET', '/syslog_status')).body).toEqual({ syslog: false });
    const badPort = await call({ url }, 'POST', '/attach_remote_syslog/debug/127.0.0.1/port/tcp');
    expect(badPort).toMatchObject({ status: 400, body: { msn: 'Unable to convert port to integer' } });
    expect((await call({ url }, 'GET', '/syslog_status')).body).toEqual({ syslog: false });

    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = await call({ url }, 'POST', `/attach_remote_syslog/debug/127.0.0.1/${closedPort}/tcp`);
    expect(refused).toMatchObject({ status: 500, body: { msn: expect.stringContaining('ECONNREFUSED') } });
    expect(refused.text).not.toMatch(/\n\s+at /);
    expect((await call({ url }, 'GET', '/syslog_status')).body).toEqual({ syslog: false });

    const received = collector();
    const receiver = net.createServer((socket) => socket.on('data', (chunk) => received.push(chunk.toString('utf8'))));
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise((resolve) => receiver.close(resolve)));
    const port = (receiver.address() as AddressInfo).port;
    const attached = await call({ url }, 'POST', `/attach_remote_syslog/DEBUG/127.0.0.1/${port}/TcP`);
    expect(attached).toMatchObject({ status: 200, body: { msn: `Attach syslog 127.0.0.1:${port}` } });
    expect((await call({ url }, 'GET', '/syslog_status')).body).toEqual({ syslog: true });

    const headers = { authorization: 'Bearer sentinel-token', 'content-type': 'application/json' };
    await fetch(`${url}/ping?x=1`, { method: 'POST', headers, body: '{"secret":"sentinel-body"}' });
    const line = await received.next(/POST \/ping\?x=1 /);
    expect(line).toMatch(LINE);
    expect(LINE.exec(line)![1]).toBe('14'); // facility user, severity info
    expect(line).toMatch(/POST \/ping\?x=1 200 [\d.]+ms reqId=\S+$/);
    expect(received.lines.join('\n')).not.toMatch(/sentinel/);
  });

  it('attaches over UDP and sends only lines at the attached level or above', async () => {
    const { url } = await started();
    const received = collector();
    const receiver = dgram.createSocket('udp4');
    receiver.on('message', (message) => received.push(message.toString('utf8')));
    await new Promise<void>((resolve) => receiver.bind(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
    const port = receiver.address().port;
    const attached = await call({ url }, 'POST', `/attach_remote_syslog/error/127.0.0.1/${port}/udp`);
    expect(attached).toMatchObject({ status: 200, body: { msn: `Attach syslog 127.0.0.1:${port}` } });

    await call({ url }, 'POST', '/ping');
    await call({ url }, 'GET', '/no-such-route');
    await call({ url }, 'GET', '/boom');
    const line = await received.next(/GET \/boom 500 /);
    expect(LINE.exec(line)![1]).toBe('11'); // facility user, severity error
    expect(received.lines.filter((l) => /\/ping|no-such-route/.test(l))).toEqual([]);
  });
});

