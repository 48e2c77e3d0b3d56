import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import path from 'node:path';
import { execa } from 'execa';
import type { Connection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { TEST_DB, TEST_PASSWORDS, adminConnection, dropTestDatabase, uniqueTestName } from '../helpers/mariadb.js';
import { call } from '../helpers/server.js';

/**
 * `jobmon-server web` (the built bundle, dist/server.js) gets SIGTERM while a
 * request waits on a row lock: it answers that request as usual, then exits 0.
 * Its log lines carry the request id the client sent.
 */
const BIN = path.join(REPO_ROOT, 'bin/jobmon-server.js');
const database = uniqueTestName('shutdown');
const dbEnv = { DB_HOST: TEST_DB.host, DB_PORT: String(TEST_DB.port), DB_NAME: database, PATH: process.env.PATH ?? '' };
const REQUEST_ID = 'shutdown-inflight-1';
const SHUTTING_DOWN = 'shutting down: finishing in-flight requests';

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitFor<T>(check: () => Promise<T> | T, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * One HTTP/1.1 request on a socket of its own, kept alive as a Python
 * `requests` session keeps it: the client never closes it, so the test sees
 * whether the server does.
 */
function keepAliveRequest(port: number, method: string, path: string, headers: Record<string, string>) {
  const socket = net.connect(port, '127.0.0.1');
  const closed = once(socket, 'close').then(() => undefined);
  socket.on('error', () => undefined);
  const head = [`${method} ${path} HTTP/1.1`, `host: 127.0.0.1:${port}`, 'connection: keep-alive', 'content-length: 0'];
  for (const [name, value] of Object.entries(headers)) head.push(`${name}: ${value}`);
  socket.write(`${head.join('\r\n')}\r\n\r\n`);
  const response = new Promise<RawResponse>((resolve, reject) => {
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [statusLine, ...lines] = buffer.subarray(0, end).toString('latin1').split('\r\n');
      const parsed = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
      const length = Number(parsed['content-length'] ?? 0);
      if (buffer.length - end - 4 < length) return;
      resolve({ status: Number(statusLine!.split(' ')[1]), headers: parsed, body: buffer.subarray(end + 4, end + 4 + length).toString('utf8') });
    });
    void closed.then(() => reject(new Error('the connection closed before a whole response')));
  });
  return { socket, response, closed };
}

describe('jobmon-server web, SIGTERM with a request in flight', () => {
  let web: ChildProcess | undefined;
  let exited: Promise<[number | null, NodeJS.Signals | null]>;
  let log = '';
  let port = 0;
  let url = '';
  let admin: Connection;
  let client: ReturnType<typeof keepAliveRequest> | undefined;
  let jobId = 0;

  beforeAll(async () => {
    admin = await adminConnection();
    const initdb = await execa(process.execPath, [BIN, 'initdb'], {
      env: {
        ...dbEnv, DB_USER: TEST_DB.user, DB_PASS: TEST_DB.password, JOBMON_PASS_TABLE_CREATOR: TEST_PASSWORDS.tableCreator,
        JOBMON_PASS_SERVICE_USER: TEST_PASSWORDS.serviceUser, JOBMON_PASS_READ_ONLY: TEST_PASSWORDS.readOnly,
      },
      extendEnv: false, reject: false, stdin: 'ignore', timeout: 60_000,
    });
    expect(initdb.exitCode, initdb.stderr).toBe(0);
    port = await freePort();
    url = `http://127.0.0.1:${port}`;
    web = spawn(process.execPath, [BIN, 'web'], {
      env: {
        ...dbEnv, DB_USER: 'service_user', DB_PASS: TEST_PASSWORDS.serviceUser, JQS_DB_PASS: TEST_PASSWORDS.readOnly,
        LISTEN_HOST: '127.0.0.1', LISTEN_PORT: String(port), LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    exited = once(web, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    web.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    web.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    await waitFor(() => fetch(`${url}/health`).then((r) => r.ok, () => false), `web to become healthy; log:\n${log}`);
  });

  afterAll(async () => {
    client?.socket.destroy();
    if (web && web.exitCode === null && web.signalCode === null) web.kill('SIGKILL');
    await admin?.query('ROLLBACK').catch(() => undefined);
    if (admin) await dropTestDatabase(admin, database);
    await admin?.end();
  });

  it('answers a POST /job/<id>/queue that waits on a row lock with its normal 200 after SIGTERM, and commits it', async () => {
    const dagId = (await call({ url }, 'POST', '/task_dag', { name: 'slow', user: 'u', dag_hash: 's' })).body.dag_id as number;
    jobId = (await call({ url }, 'POST', '/job', { name: 'j', job_hash: 1, command: 'true', dag_id: dagId })).body.job_dct.job_id as number;

    // Hold the job's row lock, so the route's SELECT ... FOR UPDATE waits.
    await admin.query(`USE \`${database}\``);
    await admin.query('START TRANSACTION');
    await admin.query('SELECT job_id FROM job WHERE job_id = ? FOR UPDATE', [jobId]);
    client = keepAliveRequest(port, 'POST', `/job/${jobId}/queue`, { 'x-request-id': REQUEST_ID, 'content-type': 'application/json' });
    let answered = false;
    void client.response.then(() => (answered = true), () => undefined);
    // The route's locking read is running (it cannot finish while the lock is held).
    await waitFor(async () => {
      const [rows] = await admin.query(
        `SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST
         WHERE DB = ? AND USER = 'service_user' AND COMMAND = 'Query' AND INFO LIKE '%FOR UPDATE%'`,
        [database],
      );
      return Number((rows as Array<{ n: number }>)[0]?.n) === 1;
    }, 'the request to wait on the row lock');

    web!.kill('SIGTERM');
    await waitFor(() => log.includes(`"msg":"${SHUTTING_DOWN}"`), `the shutdown line; log:\n${log}`);
    // The lock is still held: the request is unanswered and the process is waiting for it.
    expect(answered).toBe(false);
    expect(web!.exitCode).toBeNull();

    await admin.query('COMMIT');
    const response = await client.response;
    expect([response.status, response.body]).toEqual([200, '{}']);
    const [rows] = await admin.query('SELECT status FROM job WHERE job_id = ?', [jobId]);
    expect(rows).toEqual([{ status: 'Q' }]);
  });

  it('logs that request under the x-request-id it was sent, completed after the shutdown began; other requests get ids of their own', async () => {
    await waitFor(() => log.includes(`"reqId":"${REQUEST_ID}","res"`), `the request's completion line; log:\n${log}`);
    const entries = log.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, any>);
    const ours = entries.filter((entry) => entry.reqId === REQUEST_ID);
    expect(ours.map((entry) => entry.msg)).toEqual(['incoming request', 'request completed']);
    expect(ours[0]!.req).toMatchObject({ method: 'POST', url: `/job/${jobId}/queue` });
    expect(ours[1]!.res).toMatchObject({ statusCode: 200 });
    const order = entries
      .map((entry) => (entry.reqId === REQUEST_ID ? entry.msg : entry.msg === SHUTTING_DOWN ? 'shutdown' : undefined))
      .filter(Boolean);
    expect(order).toEqual(['incoming request', 'shutdown', 'request completed']);
    const generated = entries.filter((entry) => entry.msg === 'incoming request' && entry.reqId !== REQUEST_ID).map((entry) => entry.reqId);
    expect(generated.length).toBeGreaterThanOrEqual(3); // /health, /task_dag, /job
    expect(new Set(generated).size).toBe(generated.length);
  });

  it('then exits 0 without waiting for the client to drop its kept-alive connection', async () => {
    // A correct server exits within milliseconds. The bound only turns a hang into a message: with
    // Fastify's keepAliveTimeout (72 s) the process would outlive `docker stop`'s 10 s grace and be killed.
    const bound = new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 15_000).unref());
    const outcome = await Promise.race([exited, bound]);
    expect(outcome, `web is still running 15 s after answering; the client's connection is ${client!.socket.destroyed ? 'closed' : 'open'}`).toEqual([0, null]);
    await client!.closed; // the server closed the connection itself
    expect(log).toContain('"msg":"request completed"');
  });
});
