import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { Secret } from '../server/secret.js';
import { DB_ACCOUNTS, type DbSecrets } from './containers.js';

/**
 * The deployment record (decisions.md 3, 23): what was deployed where, with the
 * DB passwords, in `<root>/<X.Y.Z>/<UTC ISO time>.json` (folder 0700, file
 * 0600). Written `pending` before any resource exists, then rewritten whole
 * with the outcome. The newest record of a version is the current one.
 */

/** `abandoned`: the run was killed outright (kill -9, a lost machine) and a later command found it `pending`. */
/** `undeployed`: `jobmon-ops undeploy` removed the stack (and with --purge-data the volume) later. */
export type RecordStatus = 'pending' | 'deployed' | 'failed' | 'rolled-back' | 'abandoned' | 'undeployed';

export type AccountName = (typeof DB_ACCOUNTS)[keyof typeof DB_ACCOUNTS];

export interface DeploymentRecord {
  format: 1;
  status: RecordStatus;
  release: string;
  label: string;
  version: string;
  tag: string;
  commit: string;
  host: string;
  engine: string;
  /** Where clients reach the published ports. */
  clientAddress: string;
  project: string;
  bindAddress: string;
  ports: { name: string; hostIp: string; hostPort: number; containerPort: number }[];
  images: { server: string; db: string };
  network: string;
  volume: string;
  containers: { db: string; jobmon: string; monitor: string };
  database: { name: string; accounts: Record<AccountName, string> };
  /** The record whose passwords this deploy reused (the volume existed), if any. */
  passwordsFrom?: string;
  slack: { token: 'set' | 'none'; wfChannel: string; nodeChannel: string };
  deployUser: string;
  deployedAt: string;
  finishedAt?: string;
  redeploy: boolean;
  checkout: string;
  /** Whether this run created the DB volume, and whether its rollback removed it again. */
  volumeCreated?: boolean;
  volumeRemoved?: boolean;
  failure?: { step: string; message: string };
  /** Set when a later command found this run abandoned: when, which command, and what it put right. */
  abandoned?: { noticedAt: string; by: string; recovered: string[] };
  undeployedAt?: string;
}

/** `JOBMON_DEPLOYMENTS_DIR`, else `~/jobmon_deployments`. */
export function deploymentsRoot(env: NodeJS.ProcessEnv): string {
  return env.JOBMON_DEPLOYMENTS_DIR || path.join(env.HOME || homedir(), 'jobmon_deployments');
}

/** The private folder of one version (0700, made if missing). */
export async function ensureVersionDir(root: string, version: string): Promise<string> {
  const dir = path.join(root, version);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  return dir;
}

/** Replaces the record file whole (temp file, fsync, rename), mode 0600. */
export async function writeRecord(file: string, record: DeploymentRecord): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(record, null, 2)}\n`, 'utf8');
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  await chmod(temp, 0o600);
  await rename(temp, file);
}

/** The record file of a deploy started at `deployedAt` (an ISO time sorts as the name). */
export function recordFile(versionDir: string, deployedAt: string): string {
  return path.join(versionDir, `${deployedAt}.json`);
}

/** The records of a version, newest first, skipping files that do not parse. */
async function* recordsNewestFirst(root: string, version: string): AsyncGenerator<{ file: string; record: DeploymentRecord }> {
  const dir = path.join(root, version);
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort().reverse();
  for (const name of names) {
    const file = path.join(dir, name);
    try {
      yield { file, record: JSON.parse(await readFile(file, 'utf8')) as DeploymentRecord };
    } catch {
      continue;
    }
  }
}

/** The current record of a version: its newest. */
export async function latestRecord(root: string, version: string): Promise<{ file: string; record: DeploymentRecord } | undefined> {
  for await (const entry of recordsNewestFirst(root, version)) return entry;
  return undefined;
}

/**
 * The newest record of a version whose DB volume may still exist (not
 * removed by its own rollback): the one holding the volume's passwords.
 */
export async function latestVolumeRecord(root: string, version: string): Promise<{ file: string; record: DeploymentRecord } | undefined> {
  for await (const entry of recordsNewestFirst(root, version)) {
    if (entry.record.volumeRemoved || !entry.record.database?.accounts?.root) continue;
    return entry;
  }
  return undefined;
}

/** The DB passwords a record holds, as Secrets. */
export function secretsFromRecord(record: DeploymentRecord): DbSecrets {
  const a = record.database.accounts;
  return {
    root: new Secret(a.root),
    tableCreator: new Secret(a.table_creator),
    serviceUser: new Secret(a.service_user),
    readOnly: new Secret(a.read_only),
  };
}

/** The passwords as the record stores them: revealed, by account name. */
export function accountsOf(secrets: DbSecrets): Record<AccountName, string> {
  return {
    [DB_ACCOUNTS.root]: secrets.root.reveal(),
    [DB_ACCOUNTS.tableCreator]: secrets.tableCreator.reveal(),
    [DB_ACCOUNTS.serviceUser]: secrets.serviceUser.reveal(),
    [DB_ACCOUNTS.readOnly]: secrets.readOnly.reveal(),
  } as Record<AccountName, string>;
}

/** `undeploy` on the current record: the stack is gone, and with --purge-data its volume (and so its passwords' use). */
export async function recordUndeploy(root: string, version: string, volumeRemoved: boolean): Promise<void> {
  const current = await latestRecord(root, version);
  if (!current) return;
  await writeRecord(current.file, { ...current.record, status: 'undeployed', undeployedAt: new Date().toISOString(), ...(volumeRemoved ? { volumeRemoved: true } : {}) });
}
