import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Pool } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/server/app.js';
import { createGuardedPool } from '../../../src/server/db/pool-guard.js';
import { TEST_DB, TEST_PASSWORDS } from '../../helpers/mariadb.js';
import { call, startTestServer, type TestServer } from '../../helpers/server.js';
import { startPausableProxy, type PausableProxy } from './pausable-proxy.js';

/**
 * Hardening item 14: with the database paused, requests fail fast with 503
 * instead of queueing without bound, and the server recovers by itself. The
 * server's pools reach the real test MariaDB through a proxy the test pauses:
 * new connections are accepted and left unanswered, and open ones are either
 * cut or frozen (a query in flight then just waits, until the hold timeout
 * closes its connection).
 */

const SIZE = 4;
// The acquire timeout is long enough that all 200 requests arrive before the first waiter gives up, even on a busy machine.
const LIMITS = { queueLimit: 20, acquireTimeoutMs: 3_000, holdTimeoutMs: 2_000 };
const UNAVAILABLE = { error: { code: 'database_unavailable', message: 'the database is unavailable; retry later' } };

describe.each(['cut', 'freeze'] as const)('a paused database (open connections: %s)', (mode) => {
  let db: TestServer;
  let proxy: PausableProxy;
  let app: FastifyInstance;
  let pools: Pool[] = [];
  let url: string;
  const warnings: Array<{ code?: string; msg: string }> = [];
  let dagId: number;

  beforeAll(async () => {
    db = await startTestServer(`pool_guard_${mode}`);
    proxy = await startPausableProxy({ host: TEST_DB.host, port: TEST_DB.port });
    const pool = (user: string, password: string) =>
      createGuardedPool({ host: TEST_DB.host, port: proxy.port, user, password, database: db.database, connectionLimit: SIZE }, LIMITS);
    pools = [pool('service_user', TEST_PASSWORDS.serviceUser), pool('read_only', TEST_PASSWORDS.readOnly)];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) warnings.push(JSON.parse(line));
        done();
      },
    });
    app = buildApp({ jsm: pools[0]!, jqs: pools[1]! }, { logger: { level: 'warn', stream } });
    url = await app.listen({ host: '127.0.0.1', port: 0 });
    dagId = (await call({ url }, 'POST', '/task_dag', { name: 'paused', user: 'u', dag_hash: 'p' })).body.dag_id;
  });
  afterAll(async () => {
    await app?.close();
    await Promise.all(pools.map((pool) => pool.end()));
    await proxy?.close();
    await db?.close();
  });

  const newJob = async (hash: number) => (await call({ url }, 'POST', '/job', { name: `j${hash}`, job_hash: hash, command: 'true', dag_id: dagId })).body.job_dct.job_id as number;

  it('200 concurrent requests all get 503 within the acquire timeout plus a margin; at most size + queue limit per pool waited', async () => {
    const jobId = await newJob(1);
    // Warm both pools: every connection open and idle when the database goes away.
    const warm = await Promise.all(Array.from({ length: 2 * SIZE }, (_, i) => (i % 2 ? call({ url }, 'GET', `/dag/${dagId}/job`) : call({ url }, 'GET', '/time'))));
    expect(warm.map((r) => r.status)).toEqual(Array(2 * SIZE).fill(200));

    proxy.pause(mode);
    await new Promise((r) => setTimeout(r, 200));
    warnings.length = 0;
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 ? call({ url }, 'GET', `/dag/${dagId}/job`) : call({ url }, 'POST', `/job/${jobId}/queue`, {}))),
    );
    const elapsed = Date.now() - started;

    expect(answers.filter((a) => a.status === 503 && JSON.stringify(a.body) === JSON.stringify(UNAVAILABLE)).length).toBe(200);
    // Without the guard the 4 connects per pool would each wait out the 5 s connect timeout, one batch after
    // another, and a frozen query would wait for good.
    expect(elapsed, `all 200 answered in ${elapsed} ms`).toBeLessThan(LIMITS.acquireTimeoutMs + 5_000);
    const codes = warnings.filter((w) => w.msg === 'database unavailable').map((w) => w.code ?? '?');
    expect(codes).toHaveLength(200);
    const count = (code: string) => codes.filter((c) => c === code).length;
    // Only the places and the queue ever wait; everyone else is told at once.
    const waited = codes.length - count('DB_QUEUE_FULL');
    expect(count('DB_ACQUIRE_TIMEOUT')).toBeGreaterThan(0);
    expect(waited).toBeLessThanOrEqual(2 * (SIZE + LIMITS.queueLimit));
    expect(count('DB_QUEUE_FULL')).toBeGreaterThanOrEqual(200 - 2 * (SIZE + LIMITS.queueLimit));
    // Frozen: the queries sent on the warm connections got no answer, until the hold timeout tore them down.
    if (mode === 'freeze') expect(count('PROTOCOL_CONNECTION_LOST')).toBeGreaterThan(0);
  });

  it('recovers by itself once the database answers again: 200s from the same server, and writes land', async () => {
    proxy.resume();
    let status = 0;
    for (const end = Date.now() + 20_000; status !== 200 && Date.now() < end; await new Promise((r) => setTimeout(r, 200))) {
      status = (await call({ url }, 'GET', '/time')).status;
    }
    expect(status).toBe(200);
    const jobId = await newJob(2);
    const answers = await Promise.all([
      ...Array.from({ length: 20 }, () => call({ url }, 'GET', `/dag/${dagId}/job`)),
      call({ url }, 'POST', `/job/${jobId}/queue`, {}),
      call({ url }, 'GET', '/health'),
    ]);
    expect(answers.map((a) => a.status)).toEqual(Array(22).fill(200));
    const [rows] = await db.admin.query('SELECT status FROM job WHERE job_id = ?', [jobId]);
    expect(rows).toEqual([{ status: 'Q' }]);
  });
});
