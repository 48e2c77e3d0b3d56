import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type Docker from 'dockerode';
import { acquireLock, breakLock, inspectLock, lockHolder, lockName } from '../../src/deploy/lock.js';
import { TEST_LABEL, TEST_LABELS, testEngine } from '../helpers/docker.js';

/** The deploy lock on the real engine: a container name the engine hands out once. */
describe('deploy lock', () => {
  let docker: Docker;
  const project = `jobmonlocktest${process.pid}`;
  beforeAll(() => {
    ({ docker } = testEngine());
  });
  afterAll(async () => {
    await docker.getContainer(lockName(project)).remove({ force: true }).catch(() => undefined);
  });

  it('is taken once; a second taker fails at once naming the holder; release frees it', async () => {
    const lock = await acquireLock(docker, project, 'release-7.7.7', TEST_LABELS);
    const info = await docker.getContainer(lockName(project)).inspect();
    expect(info.State.Status).toBe('created');
    expect(info.Config.Labels).toMatchObject({ [TEST_LABEL]: '1', 'org.jobmon-ops.lock-holder': lockHolder() });
    await expect(acquireLock(docker, project, 'release-7.7.7', TEST_LABELS)).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(/^another deploy of release-7\.7\.7 holds the lock on this engine: \S+@\S+ pid \d+, for \d+ s; wait for it to finish, or if that deploy died, run again with --break-lock$/),
    });
    await lock.release();
    expect(await inspectLock(docker, project)).toBeUndefined();
    await lock.release(); // twice is fine
  });

  it('a broken lock names what it held, and the old holder\'s release leaves the new holder\'s lock alone', async () => {
    const stale = await acquireLock(docker, project, 'release-7.7.7', TEST_LABELS);
    expect(await breakLock(docker, project)).toMatchObject({ holder: lockHolder() });
    expect(await breakLock(docker, project)).toBeUndefined();
    // Someone else takes it now (same holder text here, so fake another by relabelling).
    await docker.createContainer({ name: lockName(project), Image: 'jobmon-ops/deploy-lock:1', Cmd: ['x'], Labels: { ...TEST_LABELS, 'org.jobmon-ops.lock-holder': 'other@host pid 1' } });
    await stale.release();
    expect(await inspectLock(docker, project)).toMatchObject({ holder: 'other@host pid 1' });
  });
});
