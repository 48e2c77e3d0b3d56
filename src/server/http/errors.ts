/**
 * HTTP errors with JSON bodies `{"error": {"code", "message"}}`. The original
 * answered most faults with an HTML 500; ours says what went wrong and who
 * can fix it, and never leaks a stack trace.
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }

  toBody(): { error: { code: string; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

/** 400: a missing or ill-typed field, named. */
export const badRequest = (message: string) => new HttpError(400, 'bad_request', message);

/** 404: an id that names nothing (`job 12 not found`). */
export const notFound = (entity: string, id: string | number) => new HttpError(404, 'not_found', `${entity} ${id} not found`);

/** 409: an illegal state transition, naming entity, id, from and to. */
export const illegalTransition = (entity: string, id: string | number, from: string, to: string) =>
  new HttpError(409, 'illegal_transition', `cannot move ${entity} ${id} from ${from} to ${to}`);

/** 503: the database cannot be reached; the client retries 5xx. */
export const unavailable = () => new HttpError(503, 'database_unavailable', 'the database is unavailable; retry later');
