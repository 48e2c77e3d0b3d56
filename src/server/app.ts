import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Pool } from 'mysql2/promise';
import type { AdminSettings } from './config-admin.js';
import { DEFAULT_HTTP_LIMITS, type HttpLimits } from './config-limits.js';
import { isUnavailableError } from './db/pool.js';
import { requireJsonBody, unsupportedMediaType } from './http/content-type.js';
import { HttpError, unavailable } from './http/errors.js';
import { parseWireJson } from './http/json.js';
import { registerAdminRoutes } from './routes/admin.js';
import { registerCoreRoutes } from './routes/core.js';
import { registerJqsRoutes } from './routes/jqs.js';
import { registerJsmRoutes } from './routes/jsm.js';

/** What the routes need: the write pool (service_user) and the SELECT-only pool (read_only). */
export interface ServerDeps {
  jsm: Pool;
  jqs: Pool;
}

export interface AppOptions {
  logger?: FastifyServerOptions['logger'];
  /** The admin routes exist only when an admin token is configured. */
  admin?: AdminSettings;
  /** Body size, timeouts and the connection cap; unset fields take the defaults. */
  limits?: Partial<HttpLimits>;
}

/** Names the field of the first schema violation: `field dag_id must be integer`. */
function validationMessage(error: FastifyError): string {
  const first = error.validation?.[0];
  if (!first) return error.message;
  const where = error.validationContext === 'params' ? 'path parameter' : error.validationContext === 'querystring' ? 'query parameter' : 'field';
  if (first.keyword === 'required') return `missing ${where} ${String(first.params.missingProperty)}`;
  const name = first.instancePath.replace(/^\//, '').replace(/\//g, '.') || error.validationContext || 'body';
  return `${where} ${name} ${first.message ?? 'is invalid'}`;
}

/**
 * The Jobmon server as a Fastify app built from its dependencies. It never
 * listens: `jobmon-server web` does, and tests inject requests.
 */
export function buildApp(deps: ServerDeps, options: AppOptions = {}): FastifyInstance {
  const limits = { ...DEFAULT_HTTP_LIMITS, ...options.limits };
  const app = Fastify({
    logger: options.logger ?? false,
    requestIdHeader: 'x-request-id',
    bodyLimit: limits.bodyLimit,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Node looks for overdue requests every connectionsCheckingInterval (30 s by default),
    // which would let a slow client hold on that much past its deadline.
    http: { headersTimeout: limits.headersTimeoutMs, connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs) },
  });
  app.server.maxConnections = limits.maxConnections;

  // Only JSON is accepted (see requireJsonBody); the 0.8 client sends 160-bit
  // integers, so bodies are parsed without doubles.
  app.addHook('onRequest', requireJsonBody);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body).trim();
    if (text === '') return done(null, {});
    try {
      done(null, parseWireJson(text));
    } catch {
      done(new HttpError(400, 'bad_request', 'the request body is not valid JSON'), undefined);
    }
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof HttpError) return reply.status(error.statusCode).send(error.toBody());
    if (error.validation) return reply.status(400).send(new HttpError(400, 'bad_request', validationMessage(error)).toBody());
    if (isUnavailableError(error)) {
      request.log.warn({ code: (error as { code?: string }).code }, 'database unavailable');
      return reply.status(503).send(unavailable().toBody());
    }
    // Fastify's own media-type refusal, should a header pass requireJsonBody but not its parser lookup.
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return reply.status(415).send(unsupportedMediaType().toBody());
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.status(413).send({ error: { code: 'payload_too_large', message: `the request body is larger than the limit of ${limits.bodyLimit} bytes` } });
    }
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.status(error.statusCode).send({ error: { code: 'bad_request', message: error.message } });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.status(500).send({ error: { code: 'internal', message: 'internal server error' } });
  });

  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ error: { code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` } });
  });

  registerCoreRoutes(app, deps);
  registerJqsRoutes(app, deps);
  registerJsmRoutes(app, deps);
  if (options.admin) registerAdminRoutes(app, options.admin);
  return app;
}
