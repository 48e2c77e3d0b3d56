import path from 'node:path';
import type Docker from 'dockerode';
import { loadConfig, type OperatorConfig } from '../config.js';
import type { Context, GlobalOptions } from '../context.js';
import { DB_ACCOUNTS, DB_NAME } from '../deploy/containers.js';
import { canPrompt } from '../deploy/prompts.js';
import { LOAD_CLIENTS } from '../dump/argv.js';
import { choosePassword, readCurrentRecord } from '../dump/credentials.js';
import { findClient } from '../dump/exec.js';
import { formatBytes, formatSeconds } from '../dump/format.js';
import { withInterrupt } from '../util/interrupt.js';
import { byteProgress, wantsProgress } from '../dump/progress.js';
import { checkDumpFile, databaseInUse, loadDump } from '../dump/restore.js';
import { databaseInUseInContainer, findLoadContainer, loadDumpInContainer } from '../dump/restore-container.js';
import { clientAddress, resolveDbTarget, type DbTarget } from '../dump/target.js';
import { ProblemsFoundError, UsageError } from '../errors.js';
import { displayName, projectName } from '../registry/release.js';
import { connectEngine, ensureEngineReachable } from '../deploy/engine.js';
import { withReleaseLock } from '../ops/release-lock.js';
import { loadRegistry, shortPath } from '../registry/store.js';
import { confirmOnTerminal } from '../util/confirm.js';
import { jsonOutput } from '../util/json-output.js';

export interface RestoreOptions extends GlobalOptions {
  ref: string;
  file: string;
  host?: string;
  yes?: boolean;
  force?: boolean;
  user?: string;
  /** Hidden: the database name when no deployment record gives it (tests). */
  database?: string;
  quiet?: boolean;
}

/**
 * Runs the load under the release's deploy lock, so no deploy, undeploy or
 * restart runs meanwhile. A release without a semver tag was never deployed
 * by jobmon-ops and has no lock.
 */
async function underLock<T>(target: DbTarget, config: OperatorConfig, ctx: Context, load: (docker?: Docker) => Promise<T>): Promise<T> {
  const { version } = target;
  if (version === undefined) return load();
  const { docker, endpoint } = connectEngine({ env: ctx.env, config, host: target.release.host });
  await ensureEngineReachable(docker, endpoint);
  const name = displayName(target.release.release);
  return withReleaseLock({ docker, project: projectName(version), name, version, command: 'restore', env: ctx.env, log: (line) => ctx.logger.warn(line) }, () => load(docker));
}

/**
 * `jobmon-ops restore`: loads a dump into a release's database as a
 * privileged account (root from the record), after a confirmation; refuses a
 * database in use (task_dag has rows) unless --force.
 */
export async function restore(options: RestoreOptions, ctx: Context): Promise<number> {
  const { registry } = await loadRegistry({ cwd: ctx.cwd, explicit: options.registry, env: ctx.env });
  const config = await loadConfig(ctx.env);
  const target = resolveDbTarget(registry, { ref: options.ref, ...(options.host === undefined ? {} : { host: options.host }) });
  const name = displayName(target.release.release);
  if (target.aliasOf) ctx.logger.warn(`note: ${displayName(target.aliasOf.release)} is client-only; restoring into the database of its server release ${name}`);
  const interactive = canPrompt({});
  if (!options.yes && !interactive) {
    throw new UsageError(`restore replaces tables of ${name}'s database and there is no terminal to confirm on; pass --yes to confirm`);
  }
  const file = path.resolve(ctx.cwd, options.file);
  const shown = shortPath(file, ctx.cwd);
  const dumpFile = await checkDumpFile(file, shown);
  const client = await findClient(LOAD_CLIENTS, ctx.env);

  const record = await readCurrentRecord(ctx.env, target.version);
  const database = options.database ?? record?.database ?? DB_NAME;
  const user = options.user ?? DB_ACCOUNTS.root;
  const host = clientAddress(config, target.release.host, ctx.env);
  const where = `${host}:${target.port}`;
  const { password } = await choosePassword({ user, record, version: target.version, env: ctx.env, interactive, where });
  const login = { user, password, host, port: target.port };

  let started = 0;
  const result = await underLock(target, config, ctx, async (docker) => {
    // root logs in only from the DB container itself (docs/deploy.md): when it runs on the engine, the client runs there.
    const inside = docker && target.project !== undefined ? await findLoadContainer(docker, target.project, { ...login, host: '127.0.0.1', port: registry.internalPorts.db }) : undefined;
    if (!inside && !client) throw new UsageError('restore needs the mariadb (or mysql) client on this machine; install it: apt-get install mariadb-client');
    const inUse = inside ? await databaseInUseInContainer(inside, database, where) : await databaseInUse(login, database);
    if (inUse && !options.force) {
      throw new UsageError(`database ${database} of ${name} at ${where} is in use (task_dag has rows); restore refuses to load over Jobmon data unless --force`);
    }
    const question = `Load ${shown} (${formatBytes(dumpFile.bytes)}) into database ${database} of ${name} at ${where}? Its tables are replaced by the dump's.`;
    if (!options.yes && !(await confirmOnTerminal(question))) throw new ProblemsFoundError('not confirmed; nothing was changed');

    started = Date.now();
    const progress = byteProgress(`loading ${shown} into ${database} at ${where}`, wantsProgress(process.stderr, ctx.env, options));
    const stopped = `interrupted: the load into database ${database} at ${where} was stopped partway, so it is partly loaded (some tables replaced, others missing or cut short); restore again with --force`;
    return withInterrupt(stopped, (signal) =>
      inside
        ? loadDumpInContainer({ target: inside, file, gzip: dumpFile.gzip, database, signal, onProgress: progress.update })
        : loadDump({ client: client!, login, file, gzip: dumpFile.gzip, database, env: ctx.env, signal, onProgress: progress.update }),
    ).finally(() => progress.stop());
  });
  const ms = Date.now() - started;
  if (options.json) {
    ctx.logger.data(jsonOutput({ file, release: name, host: target.release.host, database, user, address: where, sqlBytes: result.sqlBytes, seconds: Number((ms / 1000).toFixed(3)) }));
    return 0;
  }
  ctx.logger.data(`restored ${shown} into database ${database} of ${name} at ${where} as ${user}: ${formatBytes(result.sqlBytes)} of SQL in ${formatSeconds(ms)}`);
  return 0;
}
