import { open, readFile, rm } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { currentOwner, ownerIsProvablyDead, type LockOwner } from '../util/process-owner.js';
import { UsageError } from '../errors.js';
import { errnoCode } from '../util/fs.js';

/**
 * The registry's write lock: `<registry>.lock` beside the file (beside a
 * symlink's target, so two links to one file share it). Without it two
 * `ports bump`s read the same file and the later rename drops the other's
 * release. Created with O_EXCL, so exactly one process makes it; it holds
 * the holder's pid and host and is removed when the change is done. A lock
 * whose holder died on this machine is taken over; a live holder is waited
 * for a few seconds, then named in the error.
 */

interface LockContent extends LockOwner {
  command: string;
  user: string;
  since: string;
}

export interface LockOptions {
  /** What is writing, shown to a command that waits (`ports bump`). */
  command: string;
  /** How long to wait for a live holder; default 5 s. */
  waitMs?: number;
  /** Told once when the lock is held by another process and we start waiting. */
  onWait?: (holder: string) => void;
}

const POLL_MS = 50;

function userName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown'; // no passwd entry (a container's arbitrary uid)
  }
}

const sameHolder = (a: LockContent, b: LockContent) => a.pid === b.pid && a.host === b.host && a.since === b.since;

function describeHolder(content: LockContent | undefined): string {
  if (!content) return 'a process that has not written its name yet';
  return `${content.command} by ${content.user}@${content.host} pid ${content.pid} since ${content.since}`;
}

async function readLock(file: string): Promise<LockContent | undefined | 'gone'> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<LockContent>;
    return typeof parsed.pid === 'number' && typeof parsed.host === 'string' ? (parsed as LockContent) : undefined;
  } catch (error) {
    // Gone: released since we tried. Unreadable JSON: its holder is still writing it (or wrote garbage).
    return errnoCode(error) === 'ENOENT' ? 'gone' : undefined;
  }
}

async function tryCreate(file: string, content: LockContent): Promise<boolean> {
  try {
    const handle = await open(file, 'wx', 0o644);
    try {
      await handle.writeFile(`${JSON.stringify(content)}\n`);
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') return false;
    throw new UsageError(`cannot create the registry lock ${file} (${errnoCode(error) ?? (error as Error).message}); check that its folder is writable`);
  }
}

/**
 * Removes a dead holder's lock; false when another process is at it. A
 * second exclusive file makes the removal one process's job: without it, a
 * process that read the dead lock could remove the live lock a faster one
 * has made since.
 */
async function takeOver(file: string, dead: LockContent): Promise<boolean> {
  const guard = `${file}.takeover`;
  let handle;
  try {
    handle = await open(guard, 'wx');
  } catch {
    return false; // another process is taking it over: wait like for a live holder
  }
  try {
    const now = await readLock(file);
    if (now !== 'gone' && now !== undefined && sameHolder(now, dead)) await rm(file, { force: true });
    return true;
  } finally {
    await handle.close();
    await rm(guard, { force: true });
  }
}

/** Runs `work` holding the lock of `lockFile`, and removes the lock after it, whatever happened. */
export async function withRegistryLock<T>(lockFile: string, options: LockOptions, work: () => Promise<T>): Promise<T> {
  const { waitMs = 5_000 } = options;
  const content: LockContent = { ...currentOwner(), command: options.command, user: userName(), since: new Date().toISOString() };
  const deadline = Date.now() + waitMs;
  let told = false;
  while (!(await tryCreate(lockFile, content))) {
    const held = await readLock(lockFile);
    if (held === 'gone') continue;
    // Only a holder on this machine can be proven dead (its pid no longer runs, or runs another program).
    if (held && ownerIsProvablyDead(held) && (await takeOver(lockFile, held))) continue;
    if (Date.now() >= deadline) {
      throw new UsageError(
        `the registry is locked by ${describeHolder(held)} (${lockFile}); wait for it to finish, or if that process is gone, remove the lock file`,
      );
    }
    if (!told) options.onWait?.(describeHolder(held));
    told = true;
    await sleep(POLL_MS);
  }
  try {
    return await work();
  } finally {
    // Removed only while it is still ours: a lock someone removed by hand and another process made since is theirs.
    const now = await readLock(lockFile);
    if (now !== 'gone' && now !== undefined && sameHolder(now, content)) await rm(lockFile, { force: true });
  }
}
