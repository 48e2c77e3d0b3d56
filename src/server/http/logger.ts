import type { FastifyServerOptions } from 'fastify';
import type { DestinationStream } from 'pino';

/**
 * Paths pino blanks in every log line. Fastify's request serializer logs no
 * headers today; this holds if a line ever includes them, or a body with a
 * password or token, or an error that carries a request's headers.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.password',
  '*.token',
  'password',
  'token',
];

/** The web service's logger: pino JSON lines at `level`, with secrets redacted. */
export function webLoggerOptions(level: string, stream?: DestinationStream): FastifyServerOptions['logger'] {
  return { level, redact: { paths: REDACT_PATHS, censor: '[REDACTED]' }, ...(stream ? { stream } : {}) };
}
