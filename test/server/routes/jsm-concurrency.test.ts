import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Pool } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/server/app.js';
import { createPool } from '../../../src/server/db/pool.js';
import { REPO_ROOT } from '../../helpers/cli.js';
import { TEST_DB, TEST_PASSWORDS } from '../../helpers/mariadb.js';
import { call, startTestServer, type TestServer } from '../../helpers/server.js';
import { instantiate, jobRow, newDag, newJob, ok, rows, runningInstance } from './jsm-steps.js';

/**
 * Real parallel HTTP requests against the app on its real pools (service_user
 * and read_only, 10 connections each). This app logs warnings to a list, so a
 * test can count the tolerated repeats, i.e. prove how many calls moved.
 */
describe('JSM routes under concurrency', () => {
  let server: TestServer;
  let app: FastifyInstance;
  let pools: Pool[];
  let target: { url: string; admin: Pool };
  const warnings: string[] = [];

  beforeAll(async () => {
    server = await startTestServer('jsm_race');
    const pool = (user: string, password: string) =>
      createPool({ host: TEST_DB.host, port: TEST_DB.port, user, password, database: server.database, connectionLimit: 10 });
    pools = [pool('service_user', TEST_PASSWORDS.serviceUser), pool('read_only', TEST_PASSWORDS.readOnly)];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) warnings.push((JSON.parse(line) as { msg: string }).msg);
        done();
      },
    });
    app = buildApp({ jsm: pools[0]!, jqs: pools[1]! }, { logger: { level: 'warn', stream } });
    target = { url: await app.listen({ host: '127.0.0.1', port: 0 }), admin: server.admin };
  });
  afterAll(async () => {
    await app?.close();
    await Promise.all((pools ?? []).map((pool) => pool.end()));
    await server?.close();
  });

  const parallel = <T>(n: number, make: (i: number) => Promise<T>) => Promise.all(Array.from({ length: n }, (_, i) => make(i)));
  const statuses = (responses: Array<{ status: number }>) => responses.map((r) => r.status).sort();
  const count = (text: string) => warnings.filter((w) => w.includes(text)).length;

  it('20 simultaneous POST /job_instance on each of 5 Q jobs, 3 rounds: each job moves Q->I once, num_attempts is exactly 1', async () => {
    for (let round = 0; round < 3; round += 1) {
      const dag = await newDag(target);
      const jobs = await parallel(5, () => newJob(target, dag));
      await parallel(5, (i) => ok(target, 'POST', `/job/${jobs[i].job_id}/queue`));
      warnings.length = 0;
      const responses = await parallel(100, (i) =>
        call(target, 'POST', '/job_instance', { job_id: String(jobs[i % 5].job_id), executor_type: 'x' }),
      );
      expect(statuses(responses)).toEqual(Array(100).fill(200));
      expect(new Set(responses.map((r) => r.body.job_instance_id)).size).toBe(100);
      for (const job of jobs) {
        expect(await jobRow(target, job.job_id)).toMatchObject({ status: 'I', num_attempts: 1 });
        expect(await rows(target, 'SELECT job_instance_id FROM job_instance WHERE job_id = ?', [job.job_id])).toHaveLength(20);
      }
      expect(count('job is already I')).toBe(95);
    }
  });

  it('30 simultaneous queue calls on one G job: one transition, 29 tolerated repeats', async () => {
    const job = await newJob(target, await newDag(target));
    warnings.length = 0;
    const responses = await parallel(30, () => call(target, 'POST', `/job/${job.job_id}/queue`));
    expect(statuses(responses)).toEqual(Array(30).fill(200));
    expect(await jobRow(target, job.job_id)).toMatchObject({ status: 'Q', num_attempts: 0 });
    expect(count('job is already Q')).toBe(29);
  });

  it('2 jobs x 10 submitted instances, 20 simultaneous log_error: exactly one error counts per job', async () => {
    const dag = await newDag(target);
    const jobs = [await newJob(target, dag, { max_attempts: 5 }), await newJob(target, dag, { max_attempts: 5 })];
    const instances = new Map<number, number[]>();
    for (const job of jobs) {
      await ok(target, 'POST', `/job/${job.job_id}/queue`);
      const ids = await parallel(10, () => instantiate(target, job.job_id));
      await parallel(10, (i) => ok(target, 'POST', `/job_instance/${ids[i]}/log_executor_id`, { executor_id: String(i + 1) }));
      instances.set(job.job_id, ids);
    }
    const all = jobs.flatMap((job) => instances.get(job.job_id)!.map((ji) => ({ job: job.job_id, ji })));
    const responses = await Promise.all(all.map(({ ji }) => call(target, 'POST', `/job_instance/${ji}/log_error`, { error_message: 'lost' })));
    for (const job of jobs) {
      const mine = responses.filter((_, i) => all[i]!.job === job.job_id);
      expect(statuses(mine)).toEqual([200, ...Array(9).fill(409)]);
      expect(await jobRow(target, job.job_id)).toMatchObject({ status: 'Q', num_attempts: 1 });
      const states = await rows(target, 'SELECT status, COUNT(*) AS n FROM job_instance WHERE job_id = ? GROUP BY status ORDER BY status', [job.job_id]);
      expect(states).toEqual([{ status: 'B', n: 9 }, { status: 'E', n: 1 }]);
      const errors = await rows(target, 'SELECT COUNT(*) AS n FROM job_instance_error_log JOIN job_instance USING (job_instance_id) WHERE job_id = ?', [job.job_id]);
      expect(errors[0]!.n).toBe(1);
    }
  });

  it('two jobs driven through retries at once, every report sent 3 times in parallel: attempts and error rows add up', async () => {
    const dag = await newDag(target);
    const drive = async (jobId: number, finish: (round: number) => 'error' | 'race') => {
      await parallel(3, () => ok(target, 'POST', `/job/${jobId}/queue`));
      const outcomes: Array<{ ji: number; errors: number; done: number }> = [];
      for (let round = 1; round <= 3; round += 1) {
        const ji = await instantiate(target, jobId);
        await parallel(3, () => ok(target, 'POST', `/job_instance/${ji}/log_executor_id`, { executor_id: String(round) }));
        await parallel(3, () => ok(target, 'POST', `/job_instance/${ji}/log_running`, { nodename: 'n', process_group_id: round }));
        const kinds = finish(round) === 'error' ? ['log_error', 'log_error', 'log_error'] : ['log_error', 'log_done', 'log_error', 'log_done'];
        const responses = await Promise.all(kinds.map((kind) => call(target, 'POST', `/job_instance/${ji}/${kind}`, { error_message: 'e' })));
        responses.forEach((r) => expect([200, 409]).toContain(r.status));
        const won = (kind: string) => responses.filter((r, i) => kinds[i] === kind && r.status === 200).length;
        outcomes.push({ ji, errors: won('log_error'), done: won('log_done') });
        if ((await jobRow(target, jobId)).status !== 'Q') break;
      }
      return outcomes;
    };
    const [failing, racing] = [await newJob(target, dag, { max_attempts: 3 }), await newJob(target, dag, { max_attempts: 3 })];
    const [failed, raced] = await Promise.all([drive(failing.job_id, () => 'error'), drive(racing.job_id, (round) => (round === 1 ? 'error' : 'race'))]);

    expect(failed.map((o) => o.errors)).toEqual([3, 3, 3]);
    expect(await jobRow(target, failing.job_id)).toMatchObject({ status: 'F', num_attempts: 3 });
    for (const { job, outcomes } of [{ job: failing.job_id, outcomes: failed }, { job: racing.job_id, outcomes: raced }]) {
      const errors = await rows(target, 'SELECT job_instance_id AS ji, COUNT(*) AS n FROM job_instance_error_log JOIN job_instance USING (job_instance_id) WHERE job_id = ? GROUP BY ji ORDER BY ji', [job]);
      expect(errors).toEqual(outcomes.filter((o) => o.errors > 0).map((o) => ({ ji: o.ji, n: o.errors })));
      for (const outcome of outcomes) expect(outcome.errors === 0 || outcome.done === 0, 'an instance ends D or E, never both').toBe(true);
    }
    const final = await jobRow(target, racing.job_id);
    const last = raced.at(-1)!;
    expect(final.num_attempts).toBe(raced.length);
    expect(final.status).toBe(last.done > 0 ? 'D' : raced.length === 3 ? 'F' : 'Q');
  });

  it('40 jobs finishing at once (done or fatal error, each reported twice) while their DAG heartbeats: nothing lost, no deadlock', async () => {
    const dag = await newDag(target);
    const jobs = await parallel(40, () => newJob(target, dag));
    const instances = await parallel(40, (i) => runningInstance(target, jobs[i].job_id));
    const reports = instances.flatMap((ji, i) => [ji, ji].map(() => ({ ji, kind: i % 2 === 0 ? 'log_done' : 'log_error' })));
    const responses = await Promise.all([
      ...reports.map(({ ji, kind }) => call(target, 'POST', `/job_instance/${ji}/${kind}`, { error_message: 'fatal' })),
      ...Array.from({ length: 10 }, () => call(target, 'POST', `/task_dag/${dag}/log_heartbeat`)),
    ]);
    expect(statuses(responses)).toEqual(Array(90).fill(200));
    const final = await rows(target, 'SELECT status, num_attempts, COUNT(*) AS n FROM job WHERE dag_id = ? GROUP BY status, num_attempts ORDER BY status', [dag]);
    expect(final).toEqual([{ status: 'D', num_attempts: 1, n: 20 }, { status: 'F', num_attempts: 1, n: 20 }]);
    const errors = await rows(target, 'SELECT COUNT(*) AS n FROM job_instance_error_log JOIN job_instance USING (job_instance_id) WHERE dag_id = ?', [dag]);
    expect(errors[0]!.n).toBe(40);
  });

  it('reset_incomplete_jobs racing 30 log_done calls in its DAG: no deadlock, and each job ends consistent with its instance', async () => {
    const dag = await newDag(target);
    const jobs = await parallel(30, () => newJob(target, dag));
    const instances = await parallel(30, (i) => runningInstance(target, jobs[i].job_id));
    const responses = await Promise.all([
      ...instances.map((ji) => call(target, 'POST', `/job_instance/${ji}/log_done`)),
      call(target, 'POST', `/task_dag/${dag}/reset_incomplete_jobs`),
      call(target, 'POST', `/task_dag/${dag}/reset_incomplete_jobs`),
    ]);
    responses.forEach((r) => expect([200, 409], r.text).toContain(r.status));
    const pairs = await rows(target, 'SELECT j.status AS job, ji.status AS ji FROM job j JOIN job_instance ji USING (job_id) WHERE j.dag_id = ?', [dag]);
    expect(pairs).toHaveLength(30);
    for (const pair of pairs) expect([{ job: 'D', ji: 'D' }, { job: 'G', ji: 'E' }]).toContainEqual({ job: pair.job, ji: pair.ji });
    const done = responses.slice(0, 30).filter((r) => r.status === 200).length;
    expect(pairs.filter((p) => p.job === 'D')).toHaveLength(done);
  });

  it('service_user cannot DELETE or DROP, and no JSM route or repository issues such SQL', async () => {
    const [serviceUser] = pools;
    await expect(serviceUser!.query('DELETE FROM job')).rejects.toMatchObject({ code: 'ER_TABLEACCESS_DENIED_ERROR' });
    await expect(serviceUser!.query('DROP TABLE job_attribute')).rejects.toMatchObject({ code: 'ER_TABLEACCESS_DENIED_ERROR' });
    const sources = ['src/server/routes', 'src/server/repositories', 'src/server/domain'].flatMap((dir) =>
      readdirSync(path.join(REPO_ROOT, dir)).map((file) => path.join(REPO_ROOT, dir, file)),
    );
    expect(sources.length).toBeGreaterThan(5);
    for (const file of sources) expect(readFileSync(file, 'utf8'), file).not.toMatch(/\b(DELETE|DROP|TRUNCATE)\b/i);
  });
});
