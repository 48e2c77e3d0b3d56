import { LABEL_PREFIX } from './names.js';
import type { LockOwner } from '../util/process-owner.js';

export { currentOwner, ownerIsProvablyDead, type LockOwner } from '../util/process-owner.js';

/** The deploy lock's owner, as labels on the lock container (see util/process-owner.ts). */
const LABELS = { host: `${LABEL_PREFIX}lock-host`, pid: `${LABEL_PREFIX}lock-pid`, started: `${LABEL_PREFIX}lock-pid-started`, boot: `${LABEL_PREFIX}lock-boot` } as const;

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
