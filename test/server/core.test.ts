import { once } from 'node:events';
import net from 'node:net';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Pool } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.js';
import { ensureAccounts } from '../../src/server/db/accounts.js';
import { SCHEMA_VERSION } from '../../src/server/db/migrations.js';
import { connect, createPool } from '../../src/server/db/pool.js';
import { TEST_DB, TEST_PASSWORDS, createTestDatabase, testAccountPasswords } from '../helpers/mariadb.js';
import { call, startTestServer, type TestServer } from '../helpers/server.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

/**
 * GET /, GET /time and GET /health (src/server/routes/core.ts), every route's
 * 503 when the database is away, the request id in the logs, and the
 * deliberate differences from 0.8 that docs/server.md lists.
 */

const UNAVAILABLE = { error: { code: 'database_unavailable', message: 'the database is unavailable; retry later' } };

async function closedPort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A pool on the test instance (or `port`) as `user`, on `database`. */
const poolAs = (database: string, user: string, password: string, port = TEST_DB.port): Pool =>
  createPool({ host: TEST_DB.host, port, user, password, database, connectionLimit: 4 });

/**
 * Every route of the app as `METHOD /path` (HEAD left out), read from
 * Fastify's route tree, so a route added later without a case here fails.
 */
function registeredRoutes(app: FastifyInstance): string[] {
  const routes: string[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^([│ ]*)[└├]── (\S+)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    const path = (stack[depth - 1] ?? '') + match[2]!;
    stack.push(path);
    for (const method of (match[3] ?? '').split(', ').filter(Boolean)) if (method !== 'HEAD') routes.push(`${method} ${path}`);
  }
  return routes.sort();
}

/** Routes that never touch the database: liveness and the admin routes. /health answers its own 503 (below). */
const NO_DATABASE = new Set([
  'GET /', 'GET /health', 'GET /log_level', 'POST /log_level/:level', 'POST /attach_remote_syslog/:level/:host/:port/:sockettype',
  'GET /syslog_status', 'POST /debug_on',
]);

/** One valid request per database route: it passes validation, so only the database can fail it. */
const DATABASE_ROUTES: Record<string, { url: string; body?: Record<string, unknown> }> = {
  'GET /time': { url: '/time' },
  'GET /dag': { url: '/dag?dag_hash=h' },
  'GET /dag/:dag_id/job': { url: '/dag/1/job' },
  'GET /dag/:dag_id/job_status': { url: '/dag/1/job_status?last_sync=2020-01-01%2000:00:00' },
  'GET /dag/:dag_id/job_instance_executor_ids': { url: '/dag/1/job_instance_executor_ids?status=B&status=R&runtime=timed_out' },
  'GET /dag/:dag_id/workflow': { url: '/dag/1/workflow?workflow_args=a' },
  'GET /workflow/:workflow_id/workflow_run': { url: '/workflow/1/workflow_run' },
  'GET /workflow/:workflow_id/workflow_attribute': { url: '/workflow/1/workflow_attribute' },
  'GET /workflow/:workflow_id/job_attribute': { url: '/workflow/1/job_attribute' },
  'GET /workflow_run/:workflow_run_id/job_instance': { url: '/workflow_run/1/job_instance' },
  'GET /job/:job_id/job_attribute': { url: '/job/1/job_attribute' },
  'POST /task_dag': { url: '/task_dag', body: { name: 'd', user: 'u', dag_hash: 'h' } },
  'POST /task_dag/:dag_id/log_heartbeat': { url: '/task_dag/1/log_heartbeat', body: {} },
  'POST /task_dag/:dag_id/reset_incomplete_jobs': { url: '/task_dag/1/reset_incomplete_jobs', body: {} },
  'POST /job': { url: '/job', body: { name: 'j', job_hash: 1, command: 'true', dag_id: 1 } },
  'POST /job/:job_id/queue': { url: '/job/1/queue', body: {} },
  'POST /job/:job_id/reset': { url: '/job/1/reset', body: {} },
  'POST /job_instance': { url: '/job_instance', body: { job_id: 1, executor_type: 'x' } },
  'POST /job_instance/:job_instance_id/log_done': { url: '/job_instance/1/log_done', body: {} },
  'POST /job_instance/:job_instance_id/log_error': { url: '/job_instance/1/log_error', body: { error_message: 'e' } },
  'POST /job_instance/:job_instance_id/log_executor_id': { url: '/job_instance/1/log_executor_id', body: { executor_id: '7' } },
  'POST /job_instance/:job_instance_id/log_running': { url: '/job_instance/1/log_running', body: { nodename: 'n', process_group_id: 1 } },
  'POST /job_instance/:job_instance_id/log_nodename': { url: '/job_instance/1/log_nodename', body: { nodename: 'n' } },
  'POST /job_instance/:job_instance_id/log_usage': { url: '/job_instance/1/log_usage', body: { wallclock: '1' } },
  'POST /workflow': { url: '/workflow', body: { dag_id: 1, workflow_args: 'a', workflow_hash: 'h', name: 'w', user: 'u' } },
  'PUT /workflow': { url: '/workflow', body: { wf_id: 1, status: 'R' } },
  'POST /workflow_run': {
    url: '/workflow_run',
    body: {
      workflow_id: 1, user: 'u', hostname: 'h', pid: 1, stderr: '/e', stdout: '/o', working_dir: '/w', project: 'p', slack_channel: 'c',
      executor_class: 'SequentialExecutor',
    },
  },
  'PUT /workflow_run': { url: '/workflow_run', body: { wfr_id: 1, status: 'D' } },
  'POST /workflow_attribute': { url: '/workflow_attribute', body: { workflow_id: 1, attribute_type: 1, value: 'v' } },
  'POST /workflow_run_attribute': { url: '/workflow_run_attribute', body: { workflow_run_id: 1, attribute_type: 1, value: 'v' } },
  'POST /job_attribute': { url: '/job_attribute', body: { job_id: 1, attribute_type: 1, value: 'v' } },
};

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer('core');
});
afterAll(async () => {
  await server?.close();
});

describe('GET / and GET /time', () => {
  it('GET / answers {"msg": "Yes, I am alive"} as JSON', async () => {
    const response = await fetch(`${server.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ msg: 'Yes, I am alive' });
  });

  it('GET /time answers only {"time": "YYYY-MM-DD HH:MM:SS"}, between two readings of the database clock', async () => {
    const clock = async () => ((await server.admin.query("SELECT DATE_FORMAT(UTC_TIMESTAMP(), '%Y-%m-%d %H:%i:%s') AS t"))[0] as Array<{ t: string }>)[0]!.t;
    const before = await clock();
    const response = await call(server, 'GET', '/time');
    const after = await clock();
    expect(response.status).toBe(200);
    expect(Object.keys(response.body)).toEqual(['time']);
    expect(response.body.time).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(response.body.time >= before && response.body.time <= after, `${before} <= ${response.body.time} <= ${after}`).toBe(true);
  });

  it('GET /time reads the database clock (UTC_TIMESTAMP), not the app\'s: a session pinned to 2001-09-09 answers that time', async () => {
    const jqs = poolAs(server.database, 'read_only', TEST_PASSWORDS.readOnly);
    // `SET timestamp` pins NOW()/UTC_TIMESTAMP() of the session; each new pooled connection is pinned before its first query.
    jqs.on('connection', (connection) => {
      (connection as unknown as { query(sql: string, done: () => void): void }).query('SET timestamp = 1000000000', () => undefined);
    });
    const app = buildApp({ jsm: jqs, jqs });
    try {
      const response = await app.inject({ method: 'GET', url: '/time' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ time: '2001-09-09 01:46:40' });
    } finally {
      await app.close();
      await jqs.end();
    }
  });
});

describe('GET /health when unhealthy', () => {
  const health = async (jsm: Pool, jqs: Pool) => {
    const app = buildApp({ jsm, jqs });
    try {
      const response = await app.inject({ method: 'GET', url: '/health' });
      return { status: response.statusCode, body: response.json() };
    } finally {
      await app.close();
      await Promise.all([jsm.end(), jqs.end()]);
    }
  };

  it('a wrong read_only password: 503 naming the jqs pool and its error; no schema can be read through it', async () => {
    const result = await health(
      poolAs(server.database, 'service_user', TEST_PASSWORDS.serviceUser),
      poolAs(server.database, 'read_only', 'wrong-password-core-health'),
    );
    expect(result).toEqual({
      status: 503,
      body: { status: 'unhealthy', jsm: 'ok', jqs: 'unavailable (ER_ACCESS_DENIED_ERROR)', schema: null, schemaWanted: SCHEMA_VERSION, monitor: null },
    });
  });

  it('a wrong service_user password: 503 naming the jsm pool, though the schema is current', async () => {
    const result = await health(
      poolAs(server.database, 'service_user', 'wrong-password-core-health'),
      poolAs(server.database, 'read_only', TEST_PASSWORDS.readOnly),
    );
    expect(result.status).toBe(503);
    expect(result.body).toMatchObject({ status: 'unhealthy', jsm: 'unavailable (ER_ACCESS_DENIED_ERROR)', jqs: 'ok', schema: SCHEMA_VERSION });
    expect(result.body.monitor).toMatchObject({ lastPollAt: null, stale: true });
  });

  it('no database at all: 503 naming both pools (ECONNREFUSED)', async () => {
    const port = await closedPort();
    const result = await health(poolAs(server.database, 'service_user', 'x', port), poolAs(server.database, 'read_only', 'x', port));
    expect(result).toEqual({
      status: 503,
      body: {
        status: 'unhealthy', jsm: 'unavailable (ECONNREFUSED)', jqs: 'unavailable (ECONNREFUSED)', schema: null, schemaWanted: SCHEMA_VERSION,
        monitor: null,
      },
    });
  });

  it('both pools fine but the schema not migrated: 503 with schema 0', async () => {
    const db = await createTestDatabase('core_unmigrated');
    try {
      const setup = await connect({ ...TEST_DB, database: db.name });
      try {
        await ensureAccounts(setup, db.name, testAccountPasswords());
      } finally {
        await setup.end();
      }
      const result = await health(poolAs(db.name, 'service_user', TEST_PASSWORDS.serviceUser), poolAs(db.name, 'read_only', TEST_PASSWORDS.readOnly));
      expect(result).toEqual({
        status: 503,
        body: { status: 'unhealthy', jsm: 'ok', jqs: 'ok', schema: 0, schemaWanted: SCHEMA_VERSION, monitor: null },
      });
    } finally {
      await db.drop();
    }
  });
});

describe('503 JSON when the database is unreachable', () => {
  it('every route that reads or writes the database answers 503 database_unavailable (pools on a closed port)', async () => {
    const port = await closedPort();
    const jsm = poolAs(server.database, 'service_user', 'x', port);
    const jqs = poolAs(server.database, 'read_only', 'x', port);
    const app = buildApp({ jsm, jqs });
    try {
      await app.ready();
      const routes = registeredRoutes(app);
      expect(routes).toContain('POST /job/:job_id/queue');
      // Each route is here or deliberately database-free; a new route needs a case.
      expect(routes.filter((route) => !NO_DATABASE.has(route))).toEqual(Object.keys(DATABASE_ROUTES).sort());
      const answers: Record<string, unknown> = {};
      for (const [route, request] of Object.entries(DATABASE_ROUTES)) {
        const method = route.split(' ')[0] as 'GET' | 'POST' | 'PUT';
        const response = await app.inject({ method, url: request.url, ...(request.body === undefined ? {} : { payload: request.body }) });
        answers[route] = [response.statusCode, response.headers['content-type'], response.json()];
      }
      const expected = Object.fromEntries(Object.keys(DATABASE_ROUTES).map((route) => [route, [503, 'application/json; charset=utf-8', UNAVAILABLE]]));
      expect(answers).toEqual(expected);
      const healthResponse = await app.inject({ method: 'GET', url: '/health' });
      expect(healthResponse.statusCode).toBe(503);
      expect(healthResponse.json()).toMatchObject({ status: 'unhealthy' });
    } finally {
      await app.close();
      await Promise.all([jsm.end(), jqs.end()]);
    }
  });

  describe('through a TCP proxy that is cut, then restored', () => {
    let proxy: TcpProxy;
    let app: FastifyInstance;
    let pools: Pool[];
    let url: string;
    let dagId: number;
    let jobId: number;

    beforeAll(async () => {
      proxy = await startTcpProxy({ host: TEST_DB.host, port: TEST_DB.port });
      pools = [
        poolAs(server.database, 'service_user', TEST_PASSWORDS.serviceUser, proxy.port),
        poolAs(server.database, 'read_only', TEST_PASSWORDS.readOnly, proxy.port),
      ];
      app = buildApp({ jsm: pools[0]!, jqs: pools[1]! });
      url = await app.listen({ host: '127.0.0.1', port: 0 });
      dagId = (await call(server, 'POST', '/task_dag', { name: 'proxied', user: 'u', dag_hash: 'p' })).body.dag_id;
      jobId = (await call(server, 'POST', '/job', { name: 'j', job_hash: 5, command: 'true', dag_id: dagId })).body.job_dct.job_id;
    });
    afterAll(async () => {
      await app?.close();
      await Promise.all((pools ?? []).map((pool) => pool.end()));
      await proxy?.close();
    });

    const fourRoutes = () => [
      call({ url }, 'POST', `/job/${jobId}/queue`, {}),
      call({ url }, 'GET', `/dag/${dagId}/job`),
      call({ url }, 'GET', '/time'),
      call({ url }, 'POST', '/task_dag', { name: 'via-proxy', user: 'u', dag_hash: 'p' }),
    ];

    it('works through the proxy, answers 503 JSON once it is cut (pooled connections dropped), and recovers', async () => {
      const before = await Promise.all(fourRoutes());
      expect(before.map((r) => r.status)).toEqual([200, 200, 200, 200]);

      await proxy.cut();
      const during = await Promise.all(fourRoutes());
      expect(during.map((r) => [r.status, r.body])).toEqual([
        [503, UNAVAILABLE], [503, UNAVAILABLE], [503, UNAVAILABLE], [503, UNAVAILABLE],
      ]);
      // One at a time too, on whatever the pools hold now.
      for (const request of fourRoutes()) expect((await request).status).toBe(503);

      await proxy.restore();
      const after = await Promise.all(fourRoutes());
      expect(after.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      expect(after[1]!.body.job_dcts.map((j: { job_id: number; status: string }) => [j.job_id, j.status])).toEqual([[jobId, 'Q']]);
    });
  });
});

describe('the request id in the logs', () => {
  it('each request\'s log lines carry one reqId; an incoming x-request-id is used as it, also on a 503\'s warning', async () => {
    const lines: Array<Record<string, any>> = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    // jsm reaches the database; jqs points at a closed port, so its routes fail.
    const jsm = poolAs(server.database, 'service_user', TEST_PASSWORDS.serviceUser);
    const jqs = poolAs(server.database, 'read_only', 'x', await closedPort());
    const app = buildApp({ jsm, jqs }, { logger: { level: 'info', stream } });
    let closed = false;
    try {
      const url = await app.listen({ host: '127.0.0.1', port: 0 });
      const send = async (path: string, init: RequestInit) => {
        const response = await fetch(`${url}${path}`, init);
        await response.text();
        return response.status;
      };
      const post = (headers: Record<string, string>) =>
        send('/task_dag', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"name":"n","user":"u","dag_hash":"h"}' });
      expect(await post({ 'x-request-id': 'core-req-7f3a' })).toBe(200);
      expect(await post({})).toBe(200);
      expect(await send('/time', { headers: { 'x-request-id': 'core-req-503' } })).toBe(503);
      // Closing waits for the requests, whose last line is written once each response has finished.
      await app.close();
      closed = true;

      const of = (reqId: string) => lines.filter((line) => line.reqId === reqId).map((line) => line.msg);
      expect(of('core-req-7f3a')).toEqual(['incoming request', 'request completed']);
      expect(lines.find((line) => line.reqId === 'core-req-7f3a' && line.msg === 'request completed')?.res).toMatchObject({ statusCode: 200 });
      expect(lines.find((line) => line.reqId === 'core-req-7f3a' && line.msg === 'incoming request')?.req).toMatchObject({ method: 'POST', url: '/task_dag' });
      expect(of('core-req-503')).toEqual(['incoming request', 'database unavailable', 'request completed']);
      expect(lines.find((line) => line.reqId === 'core-req-503' && line.msg === 'database unavailable')).toMatchObject({ code: 'ECONNREFUSED' });

      // Without the header Fastify makes an id of its own, shared by that request's lines only.
      const generated = lines.filter((line) => line.msg === 'incoming request' && !String(line.reqId).startsWith('core-req-'));
      expect(generated).toHaveLength(1);
      const id = generated[0]!.reqId as string;
      expect(id).toMatch(/\S/);
      expect(of(id)).toEqual(['incoming request', 'request completed']);
    } finally {
      if (!closed) await app.close();
      await Promise.all([jsm.end(), jqs.end()]);
    }
  });
});

describe('deliberate differences from 0.8 (docs/server.md)', () => {
  it('a wrong method on a known path is 404 JSON "no route", not 405', async () => {
    for (const [method, path] of [['DELETE', '/job/1/queue'], ['GET', '/task_dag'], ['PUT', '/job_instance']] as const) {
      const response = await call(server, method, path);
      expect([response.status, response.body]).toEqual([404, { error: { code: 'not_found', message: `no route ${method} ${path}` } }]);
    }
  });

  it('sends no CORS headers, and a CORS preflight is 404 (0.8 enabled CORS on every route)', async () => {
    const simple = await fetch(`${server.url}/time`, { headers: { origin: 'http://elsewhere.example' } });
    expect(simple.status).toBe(200);
    const preflight = await fetch(`${server.url}/job/1/queue`, {
      method: 'OPTIONS',
      headers: { origin: 'http://elsewhere.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(404);
    for (const response of [simple, preflight]) {
      expect([...response.headers.keys()].filter((name) => name.startsWith('access-control-'))).toEqual([]);
    }
  });

  it('log_usage without maxrss leaves it NULL and writes no MAXRSS attribute (0.8 stored \'-1\')', async () => {
    const dag = (await call(server, 'POST', '/task_dag', { name: 'usage', user: 'u', dag_hash: 'u' })).body.dag_id as number;
    const job = (await call(server, 'POST', '/job', { name: 'j', job_hash: 9, command: 'true', dag_id: dag })).body.job_dct.job_id as number;
    expect((await call(server, 'POST', `/job/${job}/queue`, {})).status).toBe(200);
    const ji = (await call(server, 'POST', '/job_instance', { job_id: job, executor_type: 'x' })).body.job_instance_id as number;
    expect((await call(server, 'POST', `/job_instance/${ji}/log_usage`, { wallclock: '5', maxrss: null })).status).toBe(200);
    expect((await call(server, 'POST', `/job_instance/${ji}/log_usage`, { cpu: '1' })).status).toBe(200);
    const [instance] = (await server.admin.query('SELECT maxrss, wallclock, cpu FROM job_instance WHERE job_instance_id = ?', [ji]))[0] as Array<Record<string, unknown>>;
    expect(instance).toEqual({ maxrss: null, wallclock: '5', cpu: '1' });
    const [attributes] = await server.admin.query('SELECT attribute_type, value FROM job_attribute WHERE job_id = ? ORDER BY id', [job]);
    expect(attributes).toEqual([{ attribute_type: 13, value: '5' }, { attribute_type: 14, value: '1' }]);
  });
});
