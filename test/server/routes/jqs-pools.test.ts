import type { Pool } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/server/app.js';
import { createPool } from '../../../src/server/db/pool.js';
import { connectAs, TEST_DB, TEST_PASSWORDS } from '../../helpers/mariadb.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { insertDag, insertJob, insertWorkflow } from './jqs-rows.js';

describe('JQS routes: the SELECT-only pool', () => {
  let server: TestServer;
  let dag: number;
  let workflow: number;
  let job: number;
  beforeAll(async () => {
    server = await startTestServer('jqs_pool');
    dag = await insertDag(server.admin);
    workflow = await insertWorkflow(server.admin, dag, { workflow_args: 'same' });
    job = await insertJob(server.admin, dag);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('the read account cannot write: read_only is refused INSERT and UPDATE', async () => {
    const readOnly = await connectAs('read_only', TEST_PASSWORDS.readOnly, server.database);
    try {
      await expect(readOnly.query('SELECT COUNT(*) AS n FROM job')).resolves.toBeDefined();
      const denied = { code: 'ER_TABLEACCESS_DENIED_ERROR' };
      await expect(readOnly.query("INSERT INTO task_dag (dag_hash, name, user) VALUES ('x', 'x', 'x')")).rejects.toMatchObject(denied);
      await expect(readOnly.query("UPDATE job SET status = 'G' WHERE job_id = ?", [job])).rejects.toMatchObject(denied);
    } finally {
      await readOnly.end();
    }
  });

  it('every JQS route reads through the read pool only, never the write pool', async () => {
    const touched: string[] = [];
    const use = (name: string | symbol) => touched.push(String(name)) && Promise.reject(new Error('write pool used'));
    const writePool = new Proxy({}, { get: (_target, name) => (name === 'then' ? undefined : () => use(name)) });
    const { host, port } = TEST_DB;
    const readPool = createPool({ host, port, user: 'read_only', password: TEST_PASSWORDS.readOnly, database: server.database });
    const app = buildApp({ jsm: writePool as Pool, jqs: readPool });
    try {
      for (const url of [
        ...[`/dag/${dag}/job`, `/dag/${dag}/job_status`, `/dag/${dag}/job_instance_executor_ids?status=B&runtime=x`, '/dag'],
        ...[`/dag/${dag}/workflow?workflow_args=same`, `/workflow/${workflow}/workflow_run`, '/workflow_run/1/job_instance'],
        ...[`/workflow/${workflow}/workflow_attribute`, `/workflow/${workflow}/job_attribute`, `/job/${job}/job_attribute`],
      ]) {
        expect((await app.inject({ method: 'GET', url })).statusCode, url).toBe(200);
      }
      expect(touched).toEqual([]);
    } finally {
      await app.close();
      await readPool.end();
    }
  });
});
