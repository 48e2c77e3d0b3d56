import type { FastifyRequest } from 'fastify';
import { HttpError } from './errors.js';

/** True for `application/json` with any parameters (`; charset=utf-8`), in any letter case. */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  return header.split(';', 1)[0]!.trim().toLowerCase() === 'application/json';
}

export const unsupportedMediaType = () =>
  new HttpError(415, 'unsupported_media_type', 'POST and PUT requests must be sent with Content-Type: application/json');

/**
 * onRequest hook: every POST and PUT must declare a JSON body, even an empty
 * one. A browser sends text/plain, form bodies and body-less POSTs cross-origin
 * without asking first (a "simple request"); application/json needs a CORS
 * preflight, which this server never grants. So a web page cannot create or
 * change jobs. The 0.8 client sends the header on every POST and PUT. It runs
 * before the body is read, so a refused body costs nothing.
 */
export async function requireJsonBody(request: FastifyRequest): Promise<void> {
  if (request.method !== 'POST' && request.method !== 'PUT') return;
  if (!isJsonContentType(request.headers['content-type'])) throw unsupportedMediaType();
}
