import type { FastifyInstance } from 'fastify';
import type { PoolConnection } from 'mysql2/promise';
import type { ServerDeps } from '../app.js';
import { withTransaction } from '../db/pool.js';
import { workflowWire } from '../domain/wire.js';
import { badRequest, notFound } from '../http/errors.js';
import { ATTRIBUTE_OWNERS, insertAttribute, type AttributeTable } from '../repositories/attributes.js';
import type { Db } from '../repositories/db.js';
import {
  insertWorkflow,
  isKnownStatus,
  lockWorkflow,
  readWorkflowWire,
  startWorkflowRun,
  updateWorkflow,
  updateWorkflowRun,
  type NewWorkflow,
  type NewWorkflowRun,
} from '../repositories/workflows.js';
import { rethrowMissingReference } from './jsm-references.js';
import { attributeBody, workflowBody, workflowPutBody, workflowRunBody, workflowRunPutBody } from './jsm-schemas.js';

type Columns = Record<string, unknown> & { status?: string };

/** A status must be a row of its status table (400 naming the field otherwise). */
async function checkStatus(db: Db, table: 'workflow_status' | 'workflow_run_status', status: string | undefined): Promise<void> {
  if (status !== undefined && !(await isKnownStatus(db, table, status))) {
    throw badRequest(`field status: ${JSON.stringify(status)} is not in ${table}`);
  }
}

/** POST+PUT /workflow, POST+PUT /workflow_run and the three attribute routes. */
export function registerJsmWorkflowRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const tx = <T>(work: (db: PoolConnection) => Promise<T>) => withTransaction(deps.jsm, work);

  app.post<{ Body: Omit<NewWorkflow, 'description'> & { description?: string | null } }>(
    '/workflow',
    { schema: { body: workflowBody } },
    async (request) => {
      const workflow = { ...request.body, description: Object.hasOwn(request.body, 'description') ? (request.body.description ?? null) : '' };
      return tx(async (db) => ({ workflow_dct: workflowWire((await readWorkflowWire(db, await insertWorkflow(db, workflow)))!) })).catch(
        rethrowMissingReference(workflow),
      );
    },
  );

  // Sets the known columns that are sent (no transition rules, as in the original); unknown keys are ignored.
  app.put<{ Body: Columns & { wf_id: number } }>('/workflow', { schema: { body: workflowPutBody } }, async (request) => {
    const { wf_id: workflowId, ...columns } = request.body;
    return tx(async (db) => {
      await checkStatus(db, 'workflow_status', columns.status);
      if (!(await updateWorkflow(db, workflowId, columns))) throw notFound('workflow', workflowId);
      return { workflow_dct: workflowWire((await readWorkflowWire(db, workflowId))!) };
    }).catch(rethrowMissingReference(columns));
  });

  // Every earlier run of the workflow becomes S (the original's observed behaviour), the new one is R.
  app.post<{ Body: NewWorkflowRun }>('/workflow_run', { schema: { body: workflowRunBody } }, async (request) => {
    const run = request.body;
    return tx(async (db) => {
      if (!(await lockWorkflow(db, run.workflow_id))) throw notFound('workflow', run.workflow_id);
      return { workflow_run_id: await startWorkflowRun(db, run) };
    });
  });

  app.put<{ Body: Columns & { wfr_id: number } }>('/workflow_run', { schema: { body: workflowRunPutBody } }, async (request) => {
    const { wfr_id: runId, ...columns } = request.body;
    return tx(async (db) => {
      await checkStatus(db, 'workflow_run_status', columns.status);
      if (!(await updateWorkflowRun(db, runId, columns))) throw notFound('workflow_run', runId);
      return { workflow_run_id: runId };
    }).catch(rethrowMissingReference(columns));
  });

  for (const table of Object.keys(ATTRIBUTE_OWNERS) as AttributeTable[]) {
    const owner = ATTRIBUTE_OWNERS[table];
    app.post<{ Body: { [owner: string]: unknown; attribute_type: number; value: string | null } }>(
      `/${table}`,
      { schema: { body: attributeBody(owner) } },
      async (request) => {
        const { attribute_type: type, value } = request.body;
        const attributeId = await tx((db) => insertAttribute(db, table, request.body[owner] as number, type, value)).catch(
          rethrowMissingReference(request.body),
        );
        return { [`${table}_id`]: attributeId };
      },
    );
  }
}
