import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import type Docker from 'dockerode';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { currentOwner, ownerIsProvablyDead, ownerLabels, type LockOwner } from '../../src/deploy/lock-liveness.js';
import { acquireLock, inspectLock, LOCK_IMAGE, lockName } from '../../src/deploy/lock.js';
import { recoverAbandonedRun } from '../../src/deploy/recover.js';
import { makeTempDir } from '../helpers/cli.js';
import { TEST_LABELS, testEngine } from '../helpers/docker.js';

/**
 * Which locks a later command may release by itself: only one whose holder
 * provably died on this machine. Real lock containers on the real engine,
 * real processes for the pids.
 */
describe('recoverAbandonedRun and the lock of a killed run', () => {
  let docker: Docker;
  let deployments: { dir: string; cleanup: () => Promise<void> };
  const project = `jobmonrecovertest${process.pid}`;
  const lines: string[] = [];
  const recover = () => recoverAbandonedRun({ docker, project, release: 'release-7.7.8', version: '7.7.8', deploymentsRoot: deployments.dir, by: 'test', log: (l) => lines.push(l) });

  /** A pid that existed and has exited: a child that ran `true`. */
  const deadPid = () => spawnSync('true').pid!;
  async function plantLock(owner: LockOwner): Promise<void> {
    await acquireLock(docker, project, 'release-7.7.8', TEST_LABELS); // makes sure the lock image exists
    await docker.getContainer(lockName(project)).remove({ force: true });
    await docker.createContainer({ name: lockName(project), Image: LOCK_IMAGE, Cmd: ['deploy-lock'], Labels: { ...TEST_LABELS, 'org.jobmon-ops.lock-holder': `someone@${owner.host} pid ${owner.pid}`, ...ownerLabels(owner) } });
  }

  beforeAll(async () => {
    ({ docker } = testEngine());
    deployments = await makeTempDir('jobmon-ops-recover-');
  });
  afterEach(async () => {
    lines.length = 0;
    await docker.getContainer(lockName(project)).remove({ force: true }).catch(() => undefined);
  });
  afterAll(async () => {
    await deployments.cleanup();
  });

  it('releases a lock whose holder ran on this machine and is gone, with a line saying so', async () => {
    await plantLock({ ...currentOwner(), pid: deadPid() });
    expect(await recover()).toEqual({ recovered: [expect.stringMatching(/^released the lock of release-7\.7\.8 held by someone@\S+ pid \d+ for \d+ s: that process is no longer running on this machine$/)] });
    expect(lines).toHaveLength(1);
    expect(await inspectLock(docker, project)).toBeUndefined();
  });

  it('keeps a lock held by a live process: this one', async () => {
    await plantLock(currentOwner());
    const result = await recover();
    expect(result.held?.owner?.pid).toBe(process.pid);
    expect(lines).toEqual([]);
    expect(await inspectLock(docker, project)).toBeDefined();
  });

  it('keeps a lock held from another machine, even when its pid means nothing here (that takes --break-lock)', async () => {
    await plantLock({ host: `not-${hostname()}`, pid: deadPid() });
    expect((await recover()).held?.owner?.host).toBe(`not-${hostname()}`);
    expect(await inspectLock(docker, project)).toBeDefined();
  });

  it('a recycled pid is not the holder: the same pid with another start time counts as dead', () => {
    const me = currentOwner();
    expect(ownerIsProvablyDead(me)).toBe(false);
    expect(ownerIsProvablyDead({ ...me, started: '1' })).toBe(true);
    expect(ownerIsProvablyDead({ ...me, boot: 'an-earlier-boot' })).toBe(true);
  });
});
