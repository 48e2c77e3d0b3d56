import { badRequest, notFound } from '../http/errors.js';
import { missingReference } from '../repositories/references.js';

/**
 * A `.catch` for writes that rely on the schema's foreign keys: an unknown
 * owner (`dag_id`, `workflow_id`, `job_id`, ...) is a 404 naming it, an
 * unknown type or status code a 400 naming the field. Other errors pass.
 */
export function rethrowMissingReference(values: object) {
  return (error: unknown): never => {
    const missing = missingReference(error);
    if (!missing) throw error;
    const value = String((values as Record<string, unknown>)[missing.column]);
    if (/_(type|status)$/.test(missing.table)) throw badRequest(`field ${missing.column}: ${value} is not in ${missing.table}`);
    throw notFound(missing.table, value);
  };
}
