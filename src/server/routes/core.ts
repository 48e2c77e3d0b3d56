import type { FastifyInstance } from 'fastify';
import type { RowDataPacket } from 'mysql2/promise';
import type { ServerDeps } from '../app.js';
import { schemaVersion, SCHEMA_VERSION } from '../db/migrations.js';
import { readMonitorStatus } from '../monitor/status.js';

/** `GET /` and `GET /time` as the original answered them, plus `GET /health`. */
export function registerCoreRoutes(app: FastifyInstance, deps: ServerDeps): void {
  app.get('/', async () => ({ msg: 'Yes, I am alive' }));

  app.get('/time', async () => {
    const [rows] = await deps.jqs.query<RowDataPacket[]>("SELECT DATE_FORMAT(UTC_TIMESTAMP(), '%Y-%m-%d %H:%i:%s') AS time");
    return { time: rows[0]!.time as string };
  });

  // Deploy waits on this: both pools answer and the schema is the one this server needs.
  app.get('/health', async (_request, reply) => {
    const check = async (pool: typeof deps.jsm) => {
      try {
        await pool.query('SELECT 1');
        return 'ok';
      } catch (error) {
        return `unavailable (${(error as { code?: string }).code ?? 'error'})`;
      }
    };
    const [jsm, jqs] = await Promise.all([check(deps.jsm), check(deps.jqs)]);
    let schema: number | null = null;
    try {
      schema = await schemaVersion(deps.jqs);
    } catch {
      schema = null;
    }
    // The monitor's last completed poll (decisions.md 19); its staleness is for deploy and status to judge, not web health.
    const monitor = await readMonitorStatus(deps.jqs).catch(() => null);
    const ok = jsm === 'ok' && jqs === 'ok' && schema === SCHEMA_VERSION;
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unhealthy', jsm, jqs, schema, schemaWanted: SCHEMA_VERSION, monitor });
  });
}
