import type { FastifyInstance } from 'fastify';
import type { ServerDeps } from '../app.js';
import { listExecutorIds, listJobStatusesForSync, listJobsForSync, readDbUtcNow, type JobStatusRow, type JobSyncFilter } from '../repositories/queries-jobs.js';
import {
  findRunningWorkflowRun,
  findWorkflowByArgs,
  listDagIds,
  listJobAttributesOfJob,
  listJobAttributesOfWorkflow,
  listJobInstancesOfRun,
  listWorkflowAttributes,
} from '../repositories/queries-workflows.js';

const DEFAULT_LAST_SYNC = '2010-01-01 00:00:00';

/** Path ids must be integers; a bad one is a 400 naming the parameter (the original compared strings to INT columns). */
const idParams = (name: string) => ({ type: 'object', required: [name], properties: { [name]: { type: 'integer' } } });

const optional = (properties: Record<string, object>, required: string[] = []) => ({ type: 'object', required, properties });

const syncQuery = optional({
  status: { type: 'string' },
  last_sync: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}([ T]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,6})?)?$', default: DEFAULT_LAST_SYNC },
});

type DagParams = { dag_id: number };
type SyncQuery = { status?: string; last_sync: string };

const syncFilter = (params: DagParams, query: SyncQuery): JobSyncFilter => ({
  dagId: params.dag_id,
  lastSync: query.last_sync,
  status: query.status,
});

/**
 * Python's `int(job_hash)` for what the JSM stores, as JSON: digits with an
 * optional sign, blanks and leading zeros become a bare integer of any size.
 * Anything else stays a JSON string, so one odd hash never turns a whole sync
 * into a 500 (it did in the original). The same text `bareNumber` gives.
 */
function wireHashJson(hash: string): string {
  // What the client sends and the JSM stores (digits, no sign, no leading zero) needs no rewriting.
  if (/^(?:0|[1-9]\d*)$/.test(hash)) return hash;
  const match = /^\s*([+-]?)0*(\d+)\s*$/.exec(hash);
  if (!match) return JSON.stringify(hash);
  const digits = match[2]!;
  return match[1] === '-' && digits !== '0' ? `-${digits}` : digits;
}

/**
 * The job_status body with bare 160-bit integers, written directly: the same
 * bytes as `stringifyWireJson` of `{job_dcts, time}` with `bareNumber`
 * hashes, several times faster on a 1000-job sync.
 */
export function jobStatusJson(rows: readonly JobStatusRow[], time: string): string {
  let body = '{"job_dcts":[';
  for (let i = 0; i < rows.length; i++) {
    const [jobId, status, hash] = rows[i]!;
    body += `${i === 0 ? '' : ','}{"job_hash":${wireHashJson(hash)},"job_id":${jobId},"status":${JSON.stringify(status)}}`;
  }
  return `${body}],"time":${JSON.stringify(time)}}`;
}

/**
 * The JobQueryServer routes (spec §2) except `GET /` and `GET /time`. Every
 * one reads through `deps.jqs`, the SELECT-only account, so no bug here can
 * write. Unknown ids give empty lists, as in the original.
 */
export function registerJqsRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const db = deps.jqs;

  // `time` is taken before the query: a change that lands in between is seen again next sync, never lost.
  app.get<{ Params: DagParams; Querystring: SyncQuery }>(
    '/dag/:dag_id/job',
    { schema: { params: idParams('dag_id'), querystring: syncQuery } },
    async (request) => {
      const time = await readDbUtcNow(db);
      return { job_dcts: await listJobsForSync(db, syncFilter(request.params, request.query)), time };
    },
  );

  app.get<{ Params: DagParams; Querystring: SyncQuery }>(
    '/dag/:dag_id/job_status',
    { schema: { params: idParams('dag_id'), querystring: syncQuery } },
    async (request, reply) => {
      const { time, rows } = await listJobStatusesForSync(db, syncFilter(request.params, request.query));
      return reply.type('application/json; charset=utf-8').send(jobStatusJson(rows, time));
    },
  );

  app.get<{ Params: DagParams; Querystring: { status?: string[]; runtime?: unknown } }>(
    '/dag/:dag_id/job_instance_executor_ids',
    { schema: { params: idParams('dag_id'), querystring: optional({ status: { type: 'array', items: { type: 'string' } }, runtime: {} }) } },
    async (request) => {
      const { status = [], runtime } = request.query;
      // Only the presence of `runtime` matters; the client sends runtime=timed_out.
      const filter = { dagId: request.params.dag_id, statuses: status, timedOut: runtime !== undefined };
      return { jiid_exid_tuples: await listExecutorIds(db, filter) };
    },
  );

  app.get<{ Querystring: { dag_hash?: string } }>(
    '/dag',
    { schema: { querystring: optional({ dag_hash: { type: 'string' } }) } },
    async (request) => ({ dag_ids: await listDagIds(db, request.query.dag_hash) }),
  );

  app.get<{ Params: DagParams; Querystring: { workflow_args: string } }>(
    '/dag/:dag_id/workflow',
    { schema: { params: idParams('dag_id'), querystring: optional({ workflow_args: { type: 'string' } }, ['workflow_args']) } },
    async (request, reply) => {
      const workflow = await findWorkflowByArgs(db, request.params.dag_id, request.query.workflow_args);
      return workflow ? { workflow_dct: workflow } : reply.status(204).send();
    },
  );

  app.get<{ Params: { workflow_id: number } }>(
    '/workflow/:workflow_id/workflow_run',
    { schema: { params: idParams('workflow_id') } },
    async (request) => {
      const run = await findRunningWorkflowRun(db, request.params.workflow_id);
      return run ? { is_running: true, workflow_run_dct: run } : { is_running: false, workflow_run_dct: {} };
    },
  );

  app.get<{ Params: { workflow_run_id: number } }>(
    '/workflow_run/:workflow_run_id/job_instance',
    { schema: { params: idParams('workflow_run_id') } },
    async (request) => ({ job_instances: await listJobInstancesOfRun(db, request.params.workflow_run_id) }),
  );

  app.get<{ Params: { workflow_id: number }; Querystring: { workflow_attribute_type?: number } }>(
    '/workflow/:workflow_id/workflow_attribute',
    { schema: { params: idParams('workflow_id'), querystring: optional({ workflow_attribute_type: { type: 'integer' } }) } },
    async (request) => ({
      workflow_attr_dct: await listWorkflowAttributes(db, request.params.workflow_id, request.query.workflow_attribute_type),
    }),
  );

  app.get<{ Params: { workflow_id: number }; Querystring: { job_attribute_type?: number } }>(
    '/workflow/:workflow_id/job_attribute',
    { schema: { params: idParams('workflow_id'), querystring: optional({ job_attribute_type: { type: 'integer' } }) } },
    async (request) => ({
      job_attr_dct: await listJobAttributesOfWorkflow(db, request.params.workflow_id, request.query.job_attribute_type),
    }),
  );

  app.get<{ Params: { job_id: number }; Querystring: { job_attribute_type?: number } }>(
    '/job/:job_id/job_attribute',
    { schema: { params: idParams('job_id'), querystring: optional({ job_attribute_type: { type: 'integer' } }) } },
    async (request) => ({ job_attr_dct: await listJobAttributesOfJob(db, request.params.job_id, request.query.job_attribute_type) }),
  );
}
