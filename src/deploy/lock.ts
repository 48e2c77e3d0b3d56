import { hostname, userInfo } from 'node:os';
import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { UsageError } from '../errors.js';
import { imageId } from './image-build.js';
import { currentOwner, ownerFromLabels, ownerLabels, type LockOwner } from './lock-liveness.js';
import { LABEL_PREFIX } from './names.js';

/**
 * The deploy lock of one release on one engine. It lives on the engine, so it
 * holds for a remote engine too: a created (never started) container named
 * `<project>_deploy_lock`. The engine creates a name once, atomically; a
 * second create gets HTTP 409, and that is "held".
 */

/** An empty image: a container needs one to exist, and this one costs 0 bytes. */
export const LOCK_IMAGE = 'jobmon-ops/deploy-lock:1';

const LABELS = { lock: `${LABEL_PREFIX}deploy-lock`, holder: `${LABEL_PREFIX}lock-holder`, createdAt: `${LABEL_PREFIX}lock-created-at`, command: `${LABEL_PREFIX}lock-command` } as const;

/** The commands that change a release's stack, each under its lock. */
export type LockingCommand = 'deploy' | 'undeploy' | 'start' | 'stop' | 'restart' | 'restore';

export const lockName = (project: string) => `${project}_deploy_lock`;

export interface DeployLock {
  name: string;
  release(): Promise<void>;
}

/** `user@host pid N`: who holds a lock. */
export function lockHolder(): string {
  let user = process.env.USER ?? 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry: keep $USER
  }
  return `${user}@${hostname()} pid ${process.pid}`;
}

async function ensureLockImage(docker: Docker): Promise<void> {
  if (await imageId(docker, LOCK_IMAGE)) return;
  const [repo, tag] = LOCK_IMAGE.split(':') as [string, string];
  // An empty tar archive is two 512-byte zero blocks.
  const stream = await docker.importImage(Readable.from([Buffer.alloc(1024)]), { repo, tag, changes: [`LABEL ${LABEL_PREFIX}managed=true`] } as object);
  await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (error) => (error ? reject(error) : resolve())));
}

const statusOf = (error: unknown) => (error as { statusCode?: number }).statusCode;

/** Seconds as people read an age: `42 s`, `3 min`, `2 h`. */
function age(createdAt: string | undefined, now = Date.now()): string {
  const seconds = createdAt ? Math.max(0, Math.round((now - Date.parse(createdAt)) / 1000)) : NaN;
  if (Number.isNaN(seconds)) return 'an unknown time';
  if (seconds < 120) return `${seconds} s`;
  return seconds < 7200 ? `${Math.round(seconds / 60)} min` : `${Math.round(seconds / 3600)} h`;
}

export interface HeldLock {
  holder: string;
  createdAt?: string;
  age: string;
  /** The holding process, when the lock names it precisely (see lock-liveness.ts). */
  owner?: LockOwner;
  /** What it is doing; locks of older versions say nothing, and were deploys or undeploys. */
  command?: string;
}

/** Who holds the lock and since when, or undefined when there is none. */
export async function inspectLock(docker: Docker, project: string): Promise<HeldLock | undefined> {
  try {
    const info = await docker.getContainer(lockName(project)).inspect();
    const labels = info.Config.Labels ?? {};
    const createdAt = labels[LABELS.createdAt] ?? info.Created;
    const owner = ownerFromLabels(labels);
    const command = labels[LABELS.command];
    return { holder: labels[LABELS.holder] ?? 'unknown', ...(createdAt ? { createdAt } : {}), age: age(createdAt), ...(owner ? { owner } : {}), ...(command ? { command } : {}) };
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

/** Removes a lock whatever its holder (`--break-lock`); returns what it held. */
export async function breakLock(docker: Docker, project: string): Promise<{ holder: string; age: string } | undefined> {
  const held = await inspectLock(docker, project);
  if (!held) return undefined;
  await docker.getContainer(lockName(project)).remove({ force: true }).catch((error: unknown) => {
    if (statusOf(error) !== 404) throw error;
  });
  return held;
}

/**
 * The one-line error for a lock another command holds: which, who, for how
 * long, and the way out. A holder that died on this machine never gets here:
 * recoverAbandonedRun releases its lock first.
 */
export function lockHeldError(release: string, held: HeldLock | undefined, asking: LockingCommand = 'deploy'): UsageError {
  const what = held?.command ?? 'deploy';
  const way = asking === 'deploy' ? 'run again with --break-lock' : `break the lock with jobmon-ops deploy ${release} --redeploy --break-lock`;
  return new UsageError(
    `${what === asking ? 'another' : 'a'} ${what} of ${release} holds the lock on this engine: ${held?.holder ?? 'unknown'}, for ${held?.age ?? 'a moment'}; wait for it to finish, or if that ${what} died, ${way}`,
  );
}

/**
 * Takes the lock or fails at once (exit 2, nothing changed) naming the holder
 * and the lock's age. `labels` go on the lock container too (tests mark theirs).
 */
export async function acquireLock(docker: Docker, project: string, release: string, labels: Record<string, string> = {}, command: LockingCommand = 'deploy'): Promise<DeployLock> {
  await ensureLockImage(docker);
  const name = lockName(project);
  const holder = lockHolder();
  try {
    await docker.createContainer({
      name,
      Image: LOCK_IMAGE,
      Cmd: ['deploy-lock'],
      Labels: { ...labels, [LABELS.lock]: project, [LABELS.holder]: holder, [LABELS.createdAt]: new Date().toISOString(), [LABELS.command]: command, ...ownerLabels(currentOwner()) },
      HostConfig: { NetworkMode: 'none' },
    });
  } catch (error) {
    if (statusOf(error) !== 409) throw error;
    throw lockHeldError(release, await inspectLock(docker, project), command);
  }
  let released = false;
  return {
    name,
    async release() {
      if (released) return;
      released = true;
      // A lock broken and taken by another deploy meanwhile is theirs now.
      if ((await inspectLock(docker, project))?.holder !== holder) return;
      await docker.getContainer(name).remove({ force: true }).catch((error: unknown) => {
        if (statusOf(error) !== 404) throw error;
      });
    },
  };
}
