import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Who holds a lock (the deploy lock on an engine, the registry's lock file), precisely enough to tell later whether that
 * process still runs: its machine (host name and boot), its pid, and the
 * pid's start time, so a pid the system gave to another program since is not
 * taken for the holder.
 */
export interface LockOwner {
  host: string;
  pid: number;
  /** /proc/<pid>/stat's start time, in clock ticks since boot. */
  started?: string;
  /** /proc/sys/kernel/random/boot_id: a pid of an earlier boot is dead. */
  boot?: string;
}

const readOr = (file: string): string | undefined => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

/** Field 22 of /proc/<pid>/stat; the command name (field 2) may hold spaces, so count after its `)`. */
function startTicks(pid: number): string | undefined {
  const stat = readOr(`/proc/${pid}/stat`);
  return stat === undefined ? undefined : stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

/** Whether a process with this pid runs here (a permission error means it does, as another user's). */
function pidRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}

export function currentOwner(): LockOwner {
  const started = startTicks(process.pid);
  const boot = readOr('/proc/sys/kernel/random/boot_id')?.trim();
  return { host: hostname(), pid: process.pid, ...(started ? { started } : {}), ...(boot ? { boot } : {}) };
}

/**
 * True only when the owner is certainly gone: it ran on this machine, and
 * the machine has rebooted since, or its pid runs nothing, or runs a process
 * started at another time. An owner on another machine is never provably dead.
 */
export function ownerIsProvablyDead(owner: LockOwner, here: LockOwner = currentOwner()): boolean {
  if (owner.host !== here.host) return false;
  if (owner.boot && here.boot && owner.boot !== here.boot) return true;
  if (!pidRuns(owner.pid)) return true;
  const started = startTicks(owner.pid);
  return owner.started !== undefined && started !== undefined && started !== owner.started;
}
