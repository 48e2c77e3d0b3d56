import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { ProblemsFoundError, UsageError } from '../errors.js';
import { quoteIdentifier } from '../server/db/migrations.js';
import { errnoCode } from '../util/fs.js';
import { loadArgs, type DbLogin } from './argv.js';
import { startClient } from './exec.js';
import { clientErrorLine, isCompleteDump, looksLikeDump } from './format.js';
import { withOptionFile } from './option-file.js';
import { dumpSqlStages, PARTLY_LOADED } from './sql-source.js';

/** The first and last bytes of a file's SQL, gunzipped when it is gzip (which reads it all, and so checks it whole). */
async function headAndTail(file: string, gzip: boolean): Promise<{ head: string; tail: string }> {
  if (!gzip) {
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      const head = Buffer.alloc(Math.min(size, 4096));
      const tail = Buffer.alloc(Math.min(size, 512));
      await handle.read(head, 0, head.length, 0);
      await handle.read(tail, 0, tail.length, size - tail.length);
      return { head: head.toString('latin1'), tail: tail.toString('latin1') };
    } finally {
      await handle.close();
    }
  }
  let head = Buffer.alloc(0);
  let tail = Buffer.alloc(0);
  const keep = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (head.length < 4096) head = Buffer.concat([head, chunk.subarray(0, 4096 - head.length)]);
      tail = Buffer.concat([tail, chunk]).subarray(-512);
      done();
    },
  });
  await pipeline(createReadStream(file), createGunzip(), keep);
  return { head: head.toString('latin1'), tail: tail.toString('latin1') };
}

/**
 * Checks a dump before anything is loaded: readable, a mariadb-dump or
 * mysqldump file (plain or gzip, told by its first bytes), and complete
 * (ends with the dump-completed marker). Any failure is a UsageError.
 */
export async function checkDumpFile(file: string, shown: string): Promise<{ gzip: boolean; bytes: number }> {
  let bytes: number;
  let gzip: boolean;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new UsageError(`${shown} is not a file; pass a dump made by jobmon-ops dump (.sql or .sql.gz)`);
    bytes = info.size;
    const handle = await open(file, 'r');
    const magic = Buffer.alloc(2);
    await handle.read(magic, 0, 2, 0).finally(() => handle.close());
    gzip = magic[0] === 0x1f && magic[1] === 0x8b;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read ${shown} (${errnoCode(error) ?? (error as Error).message}); check the path`);
  }
  let sql: { head: string; tail: string };
  try {
    sql = await headAndTail(file, gzip);
  } catch (error) {
    throw new UsageError(`${shown} is not a readable gzip file (${(error as Error).message}); was it cut short?`);
  }
  if (!looksLikeDump(sql.head)) throw new UsageError(`${shown} is not a mariadb-dump or mysqldump dump (no "-- MariaDB dump" header line)`);
  if (!isCompleteDump(sql.tail)) throw new UsageError(`${shown} does not end with "-- Dump completed": the dump was cut short; make a new one`);
  return { gzip, bytes };
}

const ER_BAD_DB = 1049;
const ER_NO_SUCH_TABLE = 1146;

/** True when `database` has Jobmon data: task_dag has a row (decisions.md 28). A missing database or table is not in use. */
export async function databaseInUse(login: DbLogin, database: string): Promise<boolean> {
  const { default: mysql } = await import('mysql2/promise');
  const where = `${login.host}:${login.port} as ${login.user}`;
  let connection;
  try {
    connection = await mysql.createConnection({ host: login.host, port: login.port, user: login.user, password: login.password.reveal(), connectTimeout: 10_000 });
  } catch (error) {
    const { message, code } = error as { message?: string; code?: string };
    throw new ProblemsFoundError(`cannot log in to ${where}: ${message ?? code}; nothing was changed`);
  }
  try {
    const [rows] = await connection.query(`SELECT EXISTS(SELECT 1 FROM ${quoteIdentifier(database)}.task_dag) AS used`);
    return Number((rows as Array<{ used: unknown }>)[0]?.used) === 1;
  } catch (error) {
    const { errno, message } = error as { errno?: number; message?: string };
    if (errno === ER_BAD_DB || errno === ER_NO_SUCH_TABLE) return false;
    throw new ProblemsFoundError(`cannot check database ${database} at ${where}: ${message}; nothing was changed`);
  } finally {
    await connection.end().catch(() => undefined);
  }
}

export interface LoadInput {
  client: string;
  login: DbLogin;
  file: string;
  gzip: boolean;
  database: string;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  onProgress?: (sqlBytes: number) => void;
}

/** Feeds a dump (gunzipped, its database renamed to `database`) to the mariadb client; its login in an option file. */
export async function loadDump(input: LoadInput): Promise<{ sqlBytes: number }> {
  return withOptionFile(input.login, async (optionFile) => {
    const child = startClient(input.client, loadArgs(optionFile), { stdin: 'pipe', stdout: 'ignore', env: input.env, signal: input.signal });
    const sql = dumpSqlStages(input);
    const [fed] = await Promise.allSettled([pipeline([...sql.stages, child.stdin!])]);
    const done = await child.done;
    if (input.signal.aborted) throw input.signal.reason;
    if (done.exitCode !== 0) {
      throw new ProblemsFoundError(`${path.basename(input.client)} failed (exit ${done.exitCode}): ${clientErrorLine(done.stderr, [input.login.password.reveal()])}; ${PARTLY_LOADED}`);
    }
    if (fed.status === 'rejected') throw new ProblemsFoundError(`reading the dump failed: ${(fed.reason as Error).message}; ${PARTLY_LOADED}`);
    return { sqlBytes: sql.sqlBytes() };
  });
}
