import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { LABEL_PREFIX } from './names.js';

/**
 * Who holds a deploy lock, precisely enough to tell later whether that
 * process still runs: its machine (host name and boot), its pid, and the
 * pid's start time (so a recycled pid is not mistaken for the holder).
 */
export interface LockOwner {
  host: string;
  pid: number;
  /** /proc/<pid>/stat's start time, in clock ticks since boot. */
  started?: string;
  /** /proc/sys/kernel/random/boot_id: a pid of an earlier boot is dead. */
  boot?: string;
}

const LABELS = { host: `${LABEL_PREFIX}lock-host`, pid: `${LABEL_PREFIX}lock-pid`, started: `${LABEL_PREFIX}lock-pid-started`, boot: `${LABEL_PREFIX}lock-boot` } as const;

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
  if (stat === undefined) return undefined;
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

/** This process, as a lock owner. */
export function currentOwner(): LockOwner {
  const started = startTicks(process.pid);
  const boot = readOr('/proc/sys/kernel/random/boot_id')?.trim();
  return { host: hostname(), pid: process.pid, ...(started ? { started } : {}), ...(boot ? { boot } : {}) };
}

export function ownerLabels(owner: LockOwner): Record<string, string> {
  return {
    [LABELS.host]: owner.host,
    [LABELS.pid]: String(owner.pid),
    ...(owner.started ? { [LABELS.started]: owner.started } : {}),
    ...(owner.boot ? { [LABELS.boot]: owner.boot } : {}),
  };
}

/** The owner a lock's labels name; undefined for a lock without them (made by an older version). */
export function ownerFromLabels(labels: Record<string, string>): LockOwner | undefined {
  const pid = Number(labels[LABELS.pid]);
  const host = labels[LABELS.host];
  if (!host || !Number.isInteger(pid) || pid <= 0) return undefined;
  return { host, pid, ...(labels[LABELS.started] ? { started: labels[LABELS.started] } : {}), ...(labels[LABELS.boot] ? { boot: labels[LABELS.boot] } : {}) };
}

/**
 * True only when the owner is certainly gone: it ran on this machine (same
 * host name and, when known, the same boot or an earlier one) and no process
 * with its pid and start time runs now. A lock from another machine is never
 * provably dead from here: that takes --break-lock.
 */
export function ownerIsProvablyDead(owner: LockOwner, here: LockOwner = currentOwner()): boolean {
  if (owner.host !== here.host) return false;
  if (owner.boot && here.boot && owner.boot !== here.boot) return true;
  const started = startTicks(owner.pid);
  if (started === undefined) return true;
  return owner.started !== undefined && started !== owner.started;
}
