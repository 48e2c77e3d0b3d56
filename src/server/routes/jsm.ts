import type { FastifyInstance } from 'fastify';
import type { PoolConnection } from 'mysql2/promise';
import type { ServerDeps } from '../app.js';
import { withTransaction } from '../db/pool.js';
import { instantiateJob, lockExistingJob, queueJob } from '../domain/lifecycle.js';
import { jobWire } from '../domain/wire.js';
import { insertDag, touchHeartbeat } from '../repositories/dags.js';
import { failInstancesOfJobs } from '../repositories/job-instances.js';
import { insertJob, listJobIdsOfDag, readJobWire, resetJob, resetUnfinishedJobs, type NewJob } from '../repositories/jobs.js';
import { registerJsmInstanceRoutes } from './jsm-instances.js';
import { rethrowMissingReference } from './jsm-references.js';
import { dagBody, jobBody, jobInstanceBody, params } from './jsm-schemas.js';
import { registerJsmWorkflowRoutes } from './jsm-workflows.js';

type JobBody = Partial<Omit<NewJob, 'mem_free'>> & { mem_free?: string | null } & Pick<NewJob, 'dag_id' | 'job_hash'>;

/** Used only when the key is absent; an explicit null is stored as NULL (spec §1 row 2). */
const JOB_DEFAULTS = {
  slots: null, num_cores: null, mem_free: '2', max_attempts: 1, max_runtime_seconds: null,
  context_args: '{}', tag: null, queue: null, j_resource: false,
} as const;

function newJob(body: JobBody): NewJob {
  const given = <K extends keyof typeof JOB_DEFAULTS>(key: K) => (Object.hasOwn(body, key) ? body[key] : JOB_DEFAULTS[key]) as NewJob[K];
  return {
    dag_id: body.dag_id, job_hash: body.job_hash, name: body.name ?? null, command: body.command ?? null,
    slots: given('slots'), num_cores: given('num_cores'), mem_free: given('mem_free'), max_attempts: given('max_attempts'),
    max_runtime_seconds: given('max_runtime_seconds'), context_args: given('context_args'), tag: given('tag'),
    queue: given('queue'), j_resource: given('j_resource'),
  };
}

/**
 * The JobStateManager's write routes (spec §1 rows 2-19), on the service_user
 * pool. Each route is one transaction; the life-cycle rules live in
 * domain/lifecycle.ts and all SQL in repositories/.
 */
export function registerJsmRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const tx = <T>(work: (db: PoolConnection) => Promise<T>) => withTransaction(deps.jsm, work);

  app.post<{ Body: JobBody }>('/job', { schema: { body: jobBody } }, async (request) => {
    const job = newJob(request.body);
    return tx(async (db) => ({ job_dct: jobWire((await readJobWire(db, await insertJob(db, job)))!) })).catch(
      rethrowMissingReference(job),
    );
  });

  app.post<{ Body: { name: string | null; user: string | null; dag_hash: string | null } }>(
    '/task_dag',
    { schema: { body: dagBody } },
    async (request) => ({ dag_id: await tx((db) => insertDag(db, request.body)) }),
  );

  app.post<{ Body: { job_id: number; executor_type: string | null } }>(
    '/job_instance',
    { schema: { body: jobInstanceBody } },
    async (request) => ({
      job_instance_id: await tx((db) => instantiateJob(db, request.body.job_id, request.body.executor_type, request.log)),
    }),
  );

  app.post<{ Params: { dag_id: number } }>('/task_dag/:dag_id/log_heartbeat', { schema: { params: params('dag_id') } }, async (request) => {
    await tx((db) => touchHeartbeat(db, request.params.dag_id));
    return {};
  });

  // Locked read, then the move (4 round trips). A conditional UPDATE first, as the log_* routes do, would
  // make G->Q one round trip, but test/server/shutdown.test.ts finds this request's lock wait by the
  // text FOR UPDATE in the process list (bench/README.md).
  app.post<{ Params: { job_id: number } }>('/job/:job_id/queue', { schema: { params: params('job_id') } }, async (request) => {
    await tx((db) => queueJob(db, request.params.job_id, request.log));
    return {};
  });

  app.post<{ Params: { job_id: number } }>('/job/:job_id/reset', { schema: { params: params('job_id') } }, async (request) => {
    const jobId = request.params.job_id;
    await tx(async (db) => {
      await lockExistingJob(db, jobId);
      await resetJob(db, jobId);
      await failInstancesOfJobs(db, [jobId]);
    });
    return {};
  });

  // An unknown DAG resets nothing and answers 200, like the original's raw SQL.
  app.post<{ Params: { dag_id: number } }>(
    '/task_dag/:dag_id/reset_incomplete_jobs',
    { schema: { params: params('dag_id') } },
    async (request) => {
      await tx(async (db) => failInstancesOfJobs(db, await resetUnfinishedJobs(db, await listJobIdsOfDag(db, request.params.dag_id))));
      return {};
    },
  );

  registerJsmWorkflowRoutes(app, deps);
  registerJsmInstanceRoutes(app, deps);
}
