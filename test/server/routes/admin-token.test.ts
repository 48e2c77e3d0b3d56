import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webLoggerOptions } from '../../../src/server/http/logger.js';
import { Secret } from '../../../src/server/secret.js';
import { call, startTestServer, type TestServer } from '../../helpers/server.js';
import { startReceivers, type Receivers } from './syslog-receivers.js';

/**
 * Hardening item 12: the admin routes exist only with ADMIN_TOKEN, need it as
 * a bearer token, cap syslog targets at 4 and refuse TCP unless allowed. The
 * proof that no unauthenticated request opens a connection: receivers the
 * test owns, which must get nothing, next to a positive control that they
 * do get lines once the token is given. Real server on real MariaDB.
 */

const TOKEN = 'tok-7Hq2-admin-test-0123456789abcdefXYZ';
const WRONG = 'tok-7Hq2-admin-test-0123456789abcdefXYz';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const ADMIN_ROUTES = (port: number) => [
  ['GET', '/log_level'],
  ['POST', '/log_level/debug'],
  ['POST', `/attach_remote_syslog/debug/127.0.0.1/${port}/udp`],
  ['POST', `/attach_remote_syslog/debug/127.0.0.1/${port}/tcp`],
  ['GET', '/syslog_status'],
  ['POST', '/debug_on'],
] as const;

const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

describe('without ADMIN_TOKEN the admin routes do not exist', () => {
  let server: TestServer;
  let receivers: Receivers;
  beforeAll(async () => {
    [server, receivers] = await Promise.all([startTestServer('admin_off'), startReceivers()]);
  });
  afterAll(async () => {
    await server?.close();
    await receivers?.close();
  });

  it('each answers 404 "no route", even with a bearer token, and no receiver hears anything', async () => {
    for (const port of [receivers.udpPort, receivers.tcpPort]) {
      for (const [method, path] of ADMIN_ROUTES(port)) {
        for (const headers of [{}, AUTH]) {
          const response = await call(server, method, path, undefined, headers);
          expect([method, path, response.status, response.body]).toEqual([method, path, 404, { error: { code: 'not_found', message: `no route ${method} ${path}` } }]);
        }
      }
    }
    await settle();
    expect([receivers.udpLines, receivers.tcpConnections()]).toEqual([[], 0]);
  });
});

describe('with ADMIN_TOKEN (TCP syslog not allowed)', () => {
  let server: TestServer;
  let receivers: Receivers;
  const logs: string[] = [];
  beforeAll(async () => {
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logs.push(chunk.toString());
        done();
      },
    });
    receivers = await startReceivers();
    server = await startTestServer('admin_on', { admin: { token: new Secret(TOKEN), allowTcpSyslog: false }, logger: webLoggerOptions('trace', stream) });
  });
  afterAll(async () => {
    await server?.close();
    await receivers?.close();
  });

  it('no credentials: 401 with WWW-Authenticate; a wrong token: 403; and no receiver hears anything', async () => {
    const refusals: Array<[Record<string, string>, number]> = [
      [{}, 401],
      [{ authorization: TOKEN }, 401],
      [{ authorization: `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}` }, 401],
      [{ authorization: 'Bearer ' }, 401],
      [{ authorization: `Bearer ${WRONG}` }, 403],
      [{ authorization: `Bearer ${TOKEN.slice(0, -1)}` }, 403],
      [{ authorization: `Bearer ${TOKEN}x` }, 403],
    ];
    for (const port of [receivers.udpPort, receivers.tcpPort]) {
      for (const [method, path] of ADMIN_ROUTES(port)) {
        for (const [headers, status] of refusals) {
          const response = await call(server, method, path, undefined, headers);
          expect([path, headers, response.status]).toEqual([path, headers, status]);
          expect(response.body.error.code).toBe(status === 401 ? 'unauthorized' : 'forbidden');
          if (status === 401) expect(response.headers.get('www-authenticate')).toBe('Bearer realm="jobmon-admin"');
        }
      }
    }
    await settle();
    expect([receivers.udpLines, receivers.tcpConnections()]).toEqual([[], 0]);
    // Nothing was changed either.
    expect((await call(server, 'GET', '/syslog_status', undefined, AUTH)).body).toEqual({ syslog: false });
  });

  it('TCP is refused with the token too, without dialling; UDP with the token is heard (the receivers work)', async () => {
    const tcp = await call(server, 'POST', `/attach_remote_syslog/debug/127.0.0.1/${receivers.tcpPort}/tcp`, undefined, AUTH);
    expect([tcp.status, tcp.body.error.code]).toEqual([403, 'tcp_syslog_disabled']);
    expect(tcp.body.error.message).toContain('ADMIN_SYSLOG_TCP');
    await settle();
    expect(receivers.tcpConnections()).toBe(0);

    const udp = await call(server, 'POST', `/attach_remote_syslog/info/127.0.0.1/${receivers.udpPort}/udp`, undefined, AUTH);
    expect(udp).toMatchObject({ status: 200, body: { msn: `Attach syslog 127.0.0.1:${receivers.udpPort}` } });
    await call(server, 'GET', '/time');
    for (let i = 0; i < 100 && !receivers.udpLines.some((line) => line.includes('GET /time 200')); i++) await settle();
    expect(receivers.udpLines.some((line) => line.includes('GET /time 200'))).toBe(true);
  });

  it('the token, right or wrong, appears in no log line and no answer, even at trace level', async () => {
    const answers: string[] = [];
    for (const headers of [AUTH, { authorization: `Bearer ${WRONG}` }]) {
      for (const [method, path] of [['POST', '/debug_on'], ['POST', '/attach_remote_syslog/debug/no-such-host.invalid/514/udp'], ['GET', '/log_level']] as const) {
        answers.push((await call(server, method, path, undefined, headers)).text);
      }
    }
    // If a line ever carried the request's headers, the redact paths blank the token.
    server.app.log.info({ req: { headers: AUTH }, headers: AUTH }, 'headers logged on purpose');
    await settle();
    const text = logs.join('');
    expect(text).toContain('headers logged on purpose');
    expect(text).toContain('syslog attach failed');
    expect(answers.join('\n')).toContain('Unable to attach syslog');
    for (const secret of [TOKEN, WRONG, TOKEN.slice(4, 20)]) {
      expect(text).not.toContain(secret);
      expect(answers.join('\n')).not.toContain(secret);
    }
  });
});

describe('with ADMIN_TOKEN and ADMIN_SYSLOG_TCP', () => {
  let server: TestServer;
  let receivers: Receivers;
  beforeAll(async () => {
    receivers = await startReceivers();
    server = await startTestServer('admin_tcp', { admin: { token: new Secret(TOKEN), allowTcpSyslog: true } });
  });
  afterAll(async () => {
    await server?.close();
    await receivers?.close();
  });

  it('attaches over TCP, and caps targets at 4 even when 8 attach at once; the rest get 409 and dial nothing', async () => {
    const attach = (i: number) => {
      const [port, type] = i % 2 === 0 ? [receivers.tcpPort, 'tcp'] : [receivers.udpPort, 'udp'];
      return call(server, 'POST', `/attach_remote_syslog/debug/127.0.0.1/${port}/${type}`, undefined, AUTH);
    };
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => attach(i)));
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 409, 409, 409, 409]);
    const refused = answers.find((answer) => answer.status === 409)!;
    expect(refused.body.error).toEqual({ code: 'too_many_syslog_targets', message: 'at most 4 syslog targets can be attached at once; a restart detaches them all' });
    const tcpAttached = answers.filter((answer, i) => answer.status === 200 && i % 2 === 0).length;
    await settle();
    // Only the accepted TCP attaches dialled the receiver.
    expect(receivers.tcpConnections()).toBe(tcpAttached);
    expect((await attach(1)).status).toBe(409);
  });
});
