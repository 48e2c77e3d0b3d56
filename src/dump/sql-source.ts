import { createReadStream } from 'node:fs';
import { Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { RetargetDatabase } from './retarget.js';

/** Said after any failed load: the client may have replaced some tables already. */
export const PARTLY_LOADED = 'the database may be partly loaded; fix the cause and restore again with --force';

/**
 * The stages that turn a dump file into the SQL a client loads, whether the
 * client runs here or inside the DB container: read, gunzip when it is
 * gzip, count (for the progress line), and rename its database to `database`.
 */
export function dumpSqlStages(input: { file: string; gzip: boolean; database: string; onProgress?: (sqlBytes: number) => void }) {
  let sqlBytes = 0;
  const count = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      sqlBytes += chunk.length;
      input.onProgress?.(sqlBytes);
      done(null, chunk);
    },
  });
  const stages = [createReadStream(input.file), ...(input.gzip ? [createGunzip()] : []), count, new RetargetDatabase(input.database)];
  return { stages, sqlBytes: () => sqlBytes };
}
