import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Secret } from '../secret.js';
import { HttpError } from './errors.js';

// Both sides are hashed first so the comparison takes the same time whatever
// the length or the first differing byte of a guess.
const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * onRequest hook of each admin route: `Authorization: Bearer <ADMIN_TOKEN>`.
 * No credentials is 401 (with WWW-Authenticate), a wrong token is 403.
 * Neither answer nor any log line repeats what was sent.
 */
export function requireAdminToken(token: Secret) {
  const expected = digest(token.reveal());
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const match = /^Bearer +(\S+) *$/i.exec(request.headers.authorization ?? '');
    if (!match) {
      reply.header('www-authenticate', 'Bearer realm="jobmon-admin"');
      throw new HttpError(401, 'unauthorized', 'admin routes need Authorization: Bearer <ADMIN_TOKEN>');
    }
    if (!timingSafeEqual(digest(match[1]!), expected)) throw new HttpError(403, 'forbidden', 'the admin token is not valid');
  };
}
