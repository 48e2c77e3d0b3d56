/**
 * Request schemas of the JSM routes. Fastify validates with them (coercing
 * the client's digit strings, e.g. `"job_id": "12"`, to integers) and the
 * app's error handler turns a violation into a 400 naming the field. Lengths
 * and ranges follow the columns, so a value the table cannot hold is a 400,
 * not a database error.
 */

const INT_MAX = 2147483647;

/** A required id: a positive INT (a JSON null coerces to 0 and fails here). */
export const id = { type: 'integer', minimum: 1, maximum: INT_MAX } as const;
export const optionalInt = { type: ['integer', 'null'], minimum: -INT_MAX - 1, maximum: INT_MAX } as const;
export const text = (maxLength?: number) => ({ type: ['string', 'null'], ...(maxLength === undefined ? {} : { maxLength }) }) as const;
/** A DATETIME as the client sends it: `str(datetime.utcnow())`, e.g. `2019-03-27 10:11:12.123456`. */
const datetime = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,6})?$' } as const;
const statusCode = { type: 'string', minLength: 1, maxLength: 1 } as const;

/** Path parameters, each an integer. */
export const params = (name: string) => ({ type: 'object', required: [name], properties: { [name]: { type: 'integer' } } }) as const;

const body = (required: string[], properties: Record<string, object>) => ({ type: 'object', required, properties }) as const;

export const jobBody = body(['name', 'job_hash', 'command', 'dag_id'], {
  name: text(255),
  // digits of up to 160 bits: the body parser keeps them as a string, smaller ones coerce to one
  job_hash: { type: 'string', minLength: 1, maxLength: 255 },
  command: text(),
  dag_id: id,
  slots: optionalInt,
  num_cores: optionalInt,
  mem_free: text(255),
  max_attempts: optionalInt,
  max_runtime_seconds: optionalInt,
  context_args: text(1000),
  tag: text(255),
  queue: text(255),
  j_resource: { type: ['boolean', 'null'] },
});

export const dagBody = body(['name', 'user', 'dag_hash'], { name: text(150), user: text(150), dag_hash: text(150) });

export const jobInstanceBody = body(['job_id', 'executor_type'], { job_id: id, executor_type: text(50) });

const workflowColumns = {
  dag_id: id,
  workflow_args: text(),
  workflow_hash: text(),
  description: text(),
  name: text(150),
  user: text(150),
};
export const workflowBody = body(['dag_id', 'workflow_args', 'workflow_hash', 'name', 'user'], workflowColumns);
export const workflowPutBody = body(['wf_id'], {
  wf_id: id,
  ...workflowColumns,
  created_date: datetime,
  status_date: datetime,
  status: statusCode,
});

const runColumns = {
  workflow_id: id,
  user: text(150),
  hostname: text(150),
  pid: optionalInt,
  stderr: text(1000),
  stdout: text(1000),
  working_dir: text(1000),
  project: text(150),
  slack_channel: text(150),
  executor_class: text(150),
};
export const workflowRunBody = body(Object.keys(runColumns), runColumns);
export const workflowRunPutBody = body(['wfr_id'], {
  wfr_id: id,
  ...runColumns,
  created_date: datetime,
  status_date: datetime,
  status: statusCode,
});

export const attributeBody = (owner: string) => body([owner, 'attribute_type', 'value'], { [owner]: id, attribute_type: id, value: text(255) });

export const errorBody = body(['error_message'], { error_message: text() });
export const executorIdBody = body(['executor_id'], { executor_id: optionalInt });
export const runningBody = body(['nodename', 'process_group_id'], { nodename: text(50), process_group_id: optionalInt });
export const nodenameBody = body(['nodename'], { nodename: text(50) });
export const usageBody = body([], {
  usage_str: text(250),
  wallclock: text(50),
  maxrss: text(50),
  cpu: text(50),
  io: text(50),
});
