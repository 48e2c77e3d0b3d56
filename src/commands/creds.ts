import type { Context, GlobalOptions } from '../context.js';
import { volumeExists } from '../deploy/engine-state.js';
import { resourceNames } from '../deploy/names.js';
import { deploymentsRoot } from '../deploy/record.js';
import { clientAddress } from '../dump/target.js';
import { UsageError } from '../errors.js';
import { connectionUrl, credsFromContainers, credsFromRecord, MASK, type DbCredentials } from '../ops/creds.js';
import { openRelease } from '../ops/target.js';
import { alignColumns } from '../ops/format.js';
import { jsonOutput } from '../util/json-output.js';

export interface CredsOptions extends GlobalOptions {
  ref: string;
  host?: string;
  user?: string;
  show?: boolean;
}

function formatCreds(name: string, creds: DbCredentials, show: boolean): string {
  const from = creds.source === 'record' ? `the deployment record ${creds.file}` : 'the containers\' configuration (Config.Env)';
  const lines = [`DB accounts of ${name} (database ${creds.database} at ${creds.address}:${creds.port}), from ${from}:`];
  lines.push(...alignColumns(creds.accounts.map((a) => [a.user, show ? a.password : MASK, connectionUrl(creds, a, show)]), '  '));
  if (!show) lines.push('passwords masked; --show prints them');
  return lines.join('\n');
}

/**
 * `jobmon-ops creds <release>`: the DB accounts of a deployment from its
 * newest record (decisions.md 3), else from its containers' environment (saying
 * so), each with a ready connection string. Passwords masked unless --show.
 */
export async function creds(options: CredsOptions, ctx: Context): Promise<number> {
  const { config, target, docker } = await openRelease(options.ref, options, ctx);
  const db = target.release.release.db;
  const at = { address: clientAddress(config, target.release.host, ctx.env), port: typeof db === 'number' ? db : 0 };
  const root = deploymentsRoot(ctx.env);
  let found = await credsFromRecord(root, target.version, at);
  if (!found) {
    found = await credsFromContainers(docker, target.project, at);
    if (!found) throw new UsageError(`no deployment record of ${target.version} in ${root}, and no container of ${target.project} on the engine; deploy it with jobmon-ops deploy ${target.name}`);
    ctx.logger.warn(`note: no deployment record of ${target.version} in ${root}; read from the containers' configuration${found.accounts.length < 4 ? ' (table_creator is kept only in the record)' : ''}`);
  }
  const volume = resourceNames(target.project).volume;
  if (found.source === 'record' && !(await volumeExists(docker, volume))) {
    ctx.logger.warn(`note: the volume ${volume} is not on the engine (undeployed with --purge-data?); these are the passwords of a database that is gone`);
  }
  if (options.user !== undefined) {
    const account = found.accounts.filter((a) => a.user === options.user);
    if (account.length === 0) throw new UsageError(`no account "${options.user}" for ${target.name}; the accounts are ${found.accounts.map((a) => a.user).join(', ')}`);
    found = { ...found, accounts: account };
  }
  const show = options.show === true;
  if (options.json) {
    const accounts = found.accounts.map((a) => ({ user: a.user, ...(show ? { password: a.password } : {}), url: connectionUrl(found, a, show) }));
    const { source, database, address, port } = found;
    ctx.logger.data(jsonOutput({ release: target.name, source, ...(found.file ? { record: found.file } : {}), database, address, port, masked: !show, accounts }));
    return 0;
  }
  ctx.logger.data(formatCreds(target.name, found, show));
  return 0;
}
