import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig, type OperatorConfig } from '../config.js';
import type { Context, GlobalOptions } from '../context.js';
import { DB_ACCOUNTS, DB_NAME } from '../deploy/containers.js';
import { canPrompt } from '../deploy/prompts.js';
import { defaultDumpName, DUMP_CLIENTS } from '../dump/argv.js';
import { choosePassword, readCurrentRecord } from '../dump/credentials.js';
import { dumpDatabase, type DumpVia } from '../dump/dump.js';
import { findClient } from '../dump/exec.js';
import { formatBytes, formatSeconds } from '../dump/format.js';
import { withInterrupt } from '../util/interrupt.js';
import { byteProgress, wantsProgress } from '../dump/progress.js';
import { clientAddress, resolveDbTarget, type DbTarget } from '../dump/target.js';
import { UsageError } from '../errors.js';
import { displayName } from '../registry/release.js';
import { loadRegistry, shortPath } from '../registry/store.js';
import { jsonOutput } from '../util/json-output.js';

export interface DumpOptions extends GlobalOptions {
  ref?: string;
  port?: number;
  host?: string;
  out?: string;
  gzip?: boolean;
  user?: string;
  inContainer?: boolean;
  /** Replace an existing output file (without it, one is refused). */
  force?: boolean;
  /** Hidden: the database name when no deployment record gives it (tests). */
  database?: string;
  quiet?: boolean;
}

/**
 * The output file: `--out`, else `dbs_<port>_dump.sql[.gz]` here; its folder
 * must be writable. An existing file is an earlier dump, perhaps the only
 * one: it is replaced only with --force.
 */
async function outputFile(options: DumpOptions, ctx: Context, port: number, gzip: boolean): Promise<string> {
  const out = path.resolve(ctx.cwd, options.out ?? defaultDumpName(port, gzip));
  const existing = await stat(out).catch(() => undefined);
  if (existing?.isDirectory()) throw new UsageError(`--out ${options.out} is a folder; name a file in it`);
  if (existing && !options.force) throw new UsageError(`${shortPath(out, ctx.cwd)} exists; pass --force to replace it, or --out another file`);
  try {
    await access(path.dirname(out), constants.W_OK);
  } catch {
    throw new UsageError(`cannot write to ${path.dirname(out)} (missing or not writable); pass --out with a writable folder`);
  }
  return out;
}

/** The release's running DB container on its host's engine: where `--in-container` dumps. */
async function containerVia(target: DbTarget, config: OperatorConfig, env: NodeJS.ProcessEnv): Promise<DumpVia> {
  const name = displayName(target.release.release);
  if (!target.project) throw new UsageError(`${name} has no semver tag, so no compose project to find its DB container by; dump it through a client with --port`);
  const [{ connectEngine, ensureEngineReachable }, { findDbContainer }] = await Promise.all([import('../deploy/engine.js'), import('../dump/container.js')]);
  const { docker, endpoint } = connectEngine({ env, config, host: target.release.host });
  await ensureEngineReachable(docker, endpoint);
  const container = await findDbContainer(docker, target.project);
  if (!container || container.state !== 'running') {
    const what = container ? `${container.name} is ${container.state}` : `no container of compose project ${target.project}`;
    throw new UsageError(`cannot dump ${name} inside its DB container: ${what} on ${endpoint.url}; deploy it, or install mariadb-client and dump through the DB port`);
  }
  return { kind: 'container', docker, container };
}

/** `jobmon-ops dump`: a consistent dump of a release's database to a file, the password never on a command line. */
export async function dump(options: DumpOptions, ctx: Context): Promise<number> {
  const { registry } = await loadRegistry({ cwd: ctx.cwd, explicit: options.registry, env: ctx.env });
  const config = await loadConfig(ctx.env);
  const target = resolveDbTarget(registry, { ...(options.ref === undefined ? {} : { ref: options.ref }), ...(options.port === undefined ? {} : { port: options.port }), ...(options.host === undefined ? {} : { host: options.host }) });
  const name = displayName(target.release.release);
  if (target.aliasOf) ctx.logger.warn(`note: ${displayName(target.aliasOf.release)} is client-only; dumping the database of its server release ${name}`);
  const gzip = options.gzip === true || (options.out?.endsWith('.gz') ?? false);
  const out = await outputFile(options, ctx, target.port, gzip);
  const record = await readCurrentRecord(ctx.env, target.version);
  const database = options.database ?? record?.database ?? DB_NAME;
  const user = options.user ?? DB_ACCOUNTS.readOnly;

  const client = options.inContainer ? undefined : await findClient(DUMP_CLIENTS, ctx.env);
  const via: DumpVia = client ? { kind: 'client', file: client } : await containerVia(target, config, ctx.env);
  if (via.kind === 'container' && !options.inContainer) ctx.logger.info(`no mariadb-dump or mysqldump on this machine: dumping inside ${via.container.name} through the Docker engine`);
  const address = via.kind === 'client' ? clientAddress(config, target.release.host, ctx.env) : '127.0.0.1';
  const port = via.kind === 'client' ? target.port : registry.internalPorts.db;
  const where = via.kind === 'client' ? `${address}:${port}` : via.container.name;
  const { password } = await choosePassword({ user, record, version: target.version, release: name, env: ctx.env, interactive: () => canPrompt({}), where });

  const progress = byteProgress(`dumping ${name} (${database} at ${where})`, wantsProgress(process.stderr, ctx.env, options));
  const result = await withInterrupt('interrupted; the dump was stopped and its files removed', (signal) =>
    dumpDatabase({ login: { user, password, host: address, port }, database, out, gzip, replace: options.force === true, via, env: ctx.env, signal, onProgress: progress.update }),
  ).finally(() => progress.stop());

  const view = {
    file: out, bytes: result.bytes, sqlBytes: result.sqlBytes, seconds: Number((result.ms / 1000).toFixed(3)), sha256: result.sha256,
    release: name, host: target.release.host, database, user, via: via.kind === 'client' ? `${path.basename(via.file)} to ${where}` : `container ${via.container.name}`,
  };
  if (options.json) {
    ctx.logger.data(jsonOutput(view));
    return 0;
  }
  const sql = gzip ? ` (${formatBytes(result.sqlBytes)} of SQL)` : '';
  ctx.logger.data(`dumped ${name} (database ${database} at ${where} as ${user}) to ${shortPath(out, ctx.cwd)}: ${formatBytes(result.bytes)}${sql} in ${formatSeconds(result.ms)}, sha256 ${result.sha256}`);
  return 0;
}
