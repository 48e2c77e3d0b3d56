import type Docker from 'dockerode';
import { DB_ACCOUNTS, DB_NAME } from '../deploy/containers.js';
import { COMPOSE } from '../deploy/names.js';
import { latestVolumeRecord } from '../deploy/record.js';

/** A DB account and its password (in clear: only `formatCreds` with `show` prints it). */
export interface DbAccount {
  user: string;
  password: string;
}

export interface DbCredentials {
  source: 'record' | 'containers';
  /** The record file, for `record`. */
  file?: string;
  database: string;
  address: string;
  port: number;
  accounts: DbAccount[];
}

/** Accounts in the order people need them: root first, read_only last. */
const ORDER: string[] = [DB_ACCOUNTS.root, DB_ACCOUNTS.tableCreator, DB_ACCOUNTS.serviceUser, DB_ACCOUNTS.readOnly];
const byOrder = (a: DbAccount, b: DbAccount) => (ORDER.indexOf(a.user) + 1 || 99) - (ORDER.indexOf(b.user) + 1 || 99);

/** The accounts of the newest deployment record of `version` whose volume may still exist (decisions.md 3, 23). */
export async function credsFromRecord(root: string, version: string, fallback: { address: string; port: number }): Promise<DbCredentials | undefined> {
  const found = await latestVolumeRecord(root, version);
  if (!found) return undefined;
  const { record } = found;
  const port = record.ports?.find((p) => p.name === 'db')?.hostPort ?? fallback.port;
  const accounts = Object.entries(record.database.accounts).map(([user, password]) => ({ user, password }));
  return { source: 'record', file: found.file, database: record.database.name || DB_NAME, address: record.clientAddress || fallback.address, port, accounts: accounts.sort(byOrder) };
}

/** `NAME=value` lines as a map. */
export function parseEnv(env: readonly string[] | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of env ?? []) {
    const at = line.indexOf('=');
    if (at > 0) out.set(line.slice(0, at), line.slice(at + 1));
  }
  return out;
}

/**
 * The accounts the containers were created with (Config.Env): root from the
 * DB container, service_user and read_only from the web service. Pure.
 * table_creator is only in the one-shot initdb container, long removed.
 */
export function accountsFromEnv(db: Map<string, string> | undefined, web: Map<string, string> | undefined): DbAccount[] {
  const out: DbAccount[] = [];
  const root = db?.get('MARIADB_ROOT_PASSWORD');
  if (root) out.push({ user: DB_ACCOUNTS.root, password: root });
  for (const [userVar, passVar] of [['DB_USER', 'DB_PASS'], ['JQS_DB_USER', 'JQS_DB_PASS']] as const) {
    const user = web?.get(userVar);
    const password = web?.get(passVar);
    if (user && password && !out.some((a) => a.user === user)) out.push({ user, password });
  }
  return out.sort(byOrder);
}

/** The accounts from the stack's containers, or undefined when neither the DB nor the web container exists. */
export async function credsFromContainers(docker: Docker, project: string, at: { address: string; port: number }): Promise<DbCredentials | undefined> {
  const env = async (service: string) => {
    const [c] = await docker.listContainers({ all: true, filters: { label: [`${COMPOSE.project}=${project}`, `${COMPOSE.service}=${service}`] } });
    return c ? parseEnv((await docker.getContainer(c.Id).inspect()).Config.Env) : undefined;
  };
  const [db, web] = await Promise.all([env('db'), env('jobmon')]);
  if (!db && !web) return undefined;
  return { source: 'containers', database: web?.get('DB_NAME') || DB_NAME, ...at, accounts: accountsFromEnv(db, web) };
}

export const MASK = '****';

/** `mysql://user:****@host:port/docker`; the password only when `show`. */
export function connectionUrl(creds: Pick<DbCredentials, 'address' | 'port' | 'database'>, account: DbAccount, show: boolean): string {
  const host = creds.address.includes(':') ? `[${creds.address}]` : creds.address;
  const password = show ? encodeURIComponent(account.password) : MASK;
  return `mysql://${encodeURIComponent(account.user)}:${password}@${host}:${creds.port}/${encodeURIComponent(creds.database)}`;
}
