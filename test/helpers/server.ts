import type { FastifyInstance } from 'fastify';
import type { Pool } from 'mysql2/promise';
import { buildApp, type AppOptions } from '../../src/server/app.js';
import { ensureAccounts } from '../../src/server/db/accounts.js';
import { migrate } from '../../src/server/db/migrations.js';
import { connect, createPool } from '../../src/server/db/pool.js';
import { Secret } from '../../src/server/secret.js';
import { TEST_DB, TEST_PASSWORDS, createTestDatabase } from './mariadb.js';

export interface TestServer {
  /** Base URL of the listening server, e.g. http://127.0.0.1:41234 */
  url: string;
  app: FastifyInstance;
  database: string;
  /** A root-like pool on the test database, for arranging and inspecting rows. */
  admin: Pool;
  close(): Promise<void>;
}

/**
 * A fresh database with the schema and the real accounts, and the server
 * listening on 127.0.0.1 with its two pools logged in as service_user and
 * read_only, exactly as deployed.
 */
export async function startTestServer(prefix: string, options: AppOptions = {}): Promise<TestServer> {
  const db = await createTestDatabase(prefix);
  const setup = await connect({ host: TEST_DB.host, port: TEST_DB.port, user: TEST_DB.user, password: TEST_DB.password, database: db.name });
  try {
    await ensureAccounts(setup, db.name, {
      tableCreator: new Secret(TEST_PASSWORDS.tableCreator),
      serviceUser: new Secret(TEST_PASSWORDS.serviceUser),
      readOnly: new Secret(TEST_PASSWORDS.readOnly),
    });
    await migrate(setup, db.name, () => undefined);
  } finally {
    await setup.end();
  }
  const pool = (user: string, password: string) =>
    createPool({ host: TEST_DB.host, port: TEST_DB.port, user, password, database: db.name, connectionLimit: 10 });
  const jsm = pool('service_user', TEST_PASSWORDS.serviceUser);
  const jqs = pool('read_only', TEST_PASSWORDS.readOnly);
  const admin = pool(TEST_DB.user, TEST_DB.password);
  const app = buildApp({ jsm, jqs }, options);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    app,
    database: db.name,
    admin,
    async close() {
      await app.close();
      await Promise.all([jsm.end(), jqs.end(), admin.end()]);
      await db.drop();
    },
  };
}

/** A JSON request to the test server; returns status and parsed body (raw text too). */
export async function call(
  server: Pick<TestServer, 'url'>,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; text: string; headers: Headers }> {
  // As the 0.8 client: every POST and PUT says it is JSON, with or without a body (the server refuses it otherwise).
  const json = body !== undefined || method === 'POST' || method === 'PUT';
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { ...(json ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: response.status, body: parsed, text, headers: response.headers };
}
