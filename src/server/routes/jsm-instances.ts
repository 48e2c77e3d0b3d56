import type { FastifyInstance } from 'fastify';
import type { PoolConnection } from 'mysql2/promise';
import type { ServerDeps } from '../app.js';
import { withAutocommit, withTransaction } from '../db/pool.js';
import { lockInstanceAndJob, moveJobInstance, tryMoveJobInstance } from '../domain/lifecycle.js';
import { insertJobAttributes } from '../repositories/attributes.js';
import { insertErrorLog, updateInstance, type InstanceColumns } from '../repositories/job-instances.js';
import { errorBody, executorIdBody, nodenameBody, params, runningBody, usageBody } from './jsm-schemas.js';

type Usage = Partial<Record<'usage_str' | 'wallclock' | 'maxrss' | 'cpu' | 'io', string | null>>;

/** log_usage keys and their job_attribute types (USAGE_STR, WALLCLOCK, CPU, IO, MAXRSS). */
const USAGE_ATTRIBUTES = [
  ['usage_str', 17],
  ['wallclock', 13],
  ['cpu', 14],
  ['io', 15],
  ['maxrss', 16],
] as const;

/**
 * `/job_instance/<id>/log_*`: the instance's life cycle as its worker and the
 * reconciler report it. A legal move (and its columns) is first tried as one
 * autocommit UPDATE (`tryMoveJobInstance`); when that changes nothing, the
 * route runs its locked transaction, which decides the repeat, 409 or 404.
 */
export function registerJsmInstanceRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const tx = <T>(work: (db: PoolConnection) => Promise<T>) => withTransaction(deps.jsm, work);
  const tryMove = (id: number, to: 'B' | 'R' | 'D', columns?: InstanceColumns) =>
    withAutocommit(deps.jsm, (db) => tryMoveJobInstance(db, id, to, columns));
  const schema = { params: params('job_instance_id') };
  type Id = { job_instance_id: number };

  app.post<{ Params: Id }>('/job_instance/:job_instance_id/log_done', { schema }, async (request) => {
    const id = request.params.job_instance_id;
    const message = await tryMove(id, 'D');
    if (message !== undefined) return { message };
    const move = await tx((db) => moveJobInstance(db, id, 'D', request.log));
    return { message: move.message };
  });

  // The error row is appended even when the instance was already E.
  app.post<{ Params: Id; Body: { error_message: string | null } }>(
    '/job_instance/:job_instance_id/log_error',
    { schema: { ...schema, body: errorBody } },
    async (request) => {
      const id = request.params.job_instance_id;
      return tx(async (db) => {
        const move = await moveJobInstance(db, id, 'E', request.log);
        await insertErrorLog(db, id, request.body.error_message);
        return { message: move.message };
      });
    },
  );

  // I->B, or already B (the executor id is still updated); R, D or E is 409.
  app.post<{ Params: Id; Body: { executor_id: number | null } }>(
    '/job_instance/:job_instance_id/log_executor_id',
    { schema: { ...schema, body: executorIdBody } },
    async (request) => {
      const id = request.params.job_instance_id;
      const message = await tryMove(id, 'B', { executor_id: request.body.executor_id });
      if (message !== undefined) return { message };
      return tx(async (db) => {
        const move = await moveJobInstance(db, id, 'B', request.log);
        await updateInstance(db, id, { executor_id: request.body.executor_id });
        return { message: move.message };
      });
    },
  );

  app.post<{ Params: Id; Body: { nodename: string | null; process_group_id: number | null } }>(
    '/job_instance/:job_instance_id/log_running',
    { schema: { ...schema, body: runningBody } },
    async (request) => {
      const id = request.params.job_instance_id;
      const { nodename, process_group_id } = request.body;
      const message = await tryMove(id, 'R', { nodename, process_group_id });
      if (message !== undefined) return { message };
      return tx(async (db) => {
        const move = await moveJobInstance(db, id, 'R', request.log);
        await updateInstance(db, id, { nodename, process_group_id });
        return { message: move.message };
      });
    },
  );

  app.post<{ Params: Id; Body: { nodename: string | null } }>(
    '/job_instance/:job_instance_id/log_nodename',
    { schema: { ...schema, body: nodenameBody } },
    async (request) => {
      const id = request.params.job_instance_id;
      await tx(async (db) => {
        await lockInstanceAndJob(db, id);
        await updateInstance(db, id, { nodename: request.body.nodename });
      });
      return { message: '' };
    },
  );

  // Only the keys sent are written; one job_attribute row per non-null value. `maxvmem` is accepted and ignored.
  app.post<{ Params: Id; Body: Usage }>(
    '/job_instance/:job_instance_id/log_usage',
    { schema: { ...schema, body: usageBody } },
    async (request) => {
      const id = request.params.job_instance_id;
      const columns: InstanceColumns = {};
      const attributes: Array<readonly [number, string]> = [];
      for (const [key, type] of USAGE_ATTRIBUTES) {
        if (!Object.hasOwn(request.body, key)) continue;
        const value = request.body[key] ?? null;
        columns[key] = value;
        if (value !== null) attributes.push([type, value]);
      }
      await tx(async (db) => {
        const { job } = await lockInstanceAndJob(db, id);
        await updateInstance(db, id, columns);
        await insertJobAttributes(db, job.job_id, attributes);
      });
      return { message: null };
    },
  );
}
