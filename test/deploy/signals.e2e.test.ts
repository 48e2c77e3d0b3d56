import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeReleaseStack, type OpsStack } from '../commands/ops-stack.js';
import { runCli } from '../helpers/cli.js';
import { testEngine } from '../helpers/docker.js';
import { startGitServer, type GitServer } from '../helpers/git-server.js';
import { leftovers, records, startDeploy } from './e2e-helpers.js';

/**
 * Stop signals sent to a real `jobmon-ops deploy` at each of its steps, on
 * the real engine: SIGINT (Ctrl-C), SIGTERM, SIGHUP (a dropped ssh session)
 * and a second Ctrl-C roll the run back as a failure would, release the lock,
 * write the record's final status and exit 128 + the signal; kill -9 leaves
 * it to the next deploy, status or start, which recovers. Three releases of
 * their own: 9.8.5 for first deploys (each rolled back to nothing), 9.8.6
 * deployed once and then redeployed, 9.8.4 with images nobody built yet.
 */

const LONG = 900_000;
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const EXIT: Record<(typeof SIGNALS)[number], number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
const GATES = ['DB accepting connections', 'initdb finished', 'web service healthy', 'monitor polling'];
const SERVICES = ['db', 'jobmon', 'monitor'] as const;

let docker: Docker;
let fresh: OpsStack;
let redo: OpsStack;
let unbuilt: OpsStack;
let git: GitServer;

type Child = ReturnType<typeof startDeploy>;

/** Resolves once the command has printed a line matching `pattern` (stdout or stderr). */
function waitFor(child: Child, pattern: RegExp): Promise<void> {
  let seen = '';
  return new Promise((resolve, reject) => {
    const look = (chunk: Buffer) => {
      seen += chunk.toString();
      if (pattern.test(seen)) resolve();
    };
    child.stdout.on('data', look);
    child.stderr.on('data', look);
    void child.then(() => reject(new Error(`exited before printing ${pattern}:\n${seen}`)));
  });
}

/**
 * The signal alone, as a shell's kill sends it: execa's own kill() follows a
 * SIGTERM with a SIGKILL after 5 s, which would cut a rollback short.
 */
const send = (child: Child, signal: NodeJS.Signals) => process.kill(child.pid!, signal);
const deploy = (stack: OpsStack, ...extra: string[]) => startDeploy(stack.deployArgs(...extra), stack.env);
const lockOf = (stack: OpsStack) => docker.getContainer(`${stack.release.project}_deploy_lock`).inspect().then(() => true, () => false);
const lastRecord = async (stack: OpsStack) => (await records(stack.deployments, stack.release.version)).at(-1)?.record;
const ids = async (stack: OpsStack) =>
  Promise.all(SERVICES.map(async (s) => (await docker.getContainer(`${stack.release.project}_${s}_1`).inspect()).Id));
const running = async (stack: OpsStack) =>
  Promise.all(SERVICES.map(async (s) => (await docker.getContainer(`${stack.release.project}_${s}_1`).inspect()).State.Running));
const parked = async (stack: OpsStack) =>
  (await leftovers(docker, stack.release.project)).filter((l) => l.endsWith('.previous')).map((l) => l.replace('container /', '')).sort();

/** The web service of a stack answers GET /health with 200, within a while (a restored container needs a moment). */
async function serves(stack: OpsStack): Promise<boolean> {
  for (let i = 0; i < 60; i++) {
    const ok = await fetch(`http://127.0.0.1:${stack.release.service}/health`).then((r) => r.status === 200, () => false);
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

beforeAll(async () => {
  ({ docker } = testEngine());
  fresh = await makeReleaseStack(docker, { version: '9.8.5', label: 'sig.fresh', offset: 6000 });
  redo = await makeReleaseStack(docker, { version: '9.8.6', label: 'sig.redo', offset: 6100 });
  unbuilt = await makeReleaseStack(docker, { version: '9.8.4', label: 'sig.unbuilt', offset: 6200, nonce: `${process.pid}-${Date.now()}` });
  git = await startGitServer(fresh.repo.bare);
  const first = await redo.deploy();
  expect(first.exitCode, first.stderr).toBe(0);
}, LONG);

afterAll(async () => {
  await git?.close();
  for (const stack of [fresh, redo, unbuilt]) await stack?.cleanup();
}, 300_000);

describe('a first deploy stopped by a signal at each step', () => {
  it.each(SIGNALS)('%s while preflight waits on a silent remote: exit 128+n, nothing changed', async (signal) => {
    const silent = await startGitServer(fresh.repo.bare);
    silent.stall();
    try {
      const connected = silent.nextConnection();
      const child = startDeploy(fresh.deployArgs().map((a) => (a === fresh.repo.bare ? silent.url : a)), fresh.env);
      await connected;
      send(child, signal);
      const result = await child;
      expect(result.exitCode, String(result.stderr)).toBe(EXIT[signal]);
      expect(String(result.stderr).trim().split('\n').at(-1)).toBe('error: interrupted during git ls-remote; nothing half-made was kept');
    } finally {
      await silent.close();
    }
    expect(await leftovers(docker, fresh.release.project)).toEqual([]);
    expect(await lastRecord(fresh)).toBeUndefined();
  });

  it.each(SIGNALS)('%s while the clone hangs: exit 128+n, the lock released, no half-made checkout', async (signal) => {
    const stalling = await startGitServer(fresh.repo.bare);
    try {
      const child = startDeploy(fresh.deployArgs().map((a) => (a === fresh.repo.bare ? stalling.url : a)), { ...fresh.env, JOBMON_DEPLOYMENTS_DIR: `${fresh.deployments}-clone-${signal}` });
      await waitFor(child, /^preflight ok/m);
      stalling.stall();
      await waitFor(child, /checkout release-9\.8\.5/);
      send(child, signal);
      const result = await child;
      expect(result.exitCode, String(result.stderr)).toBe(EXIT[signal]);
      expect(String(result.stderr)).toMatch(/^error: interrupted/m);
    } finally {
      await stalling.close();
    }
    expect(await lockOf(fresh)).toBe(false);
    expect(await leftovers(docker, fresh.release.project)).toEqual([]);
    const versionDir = path.join(`${fresh.deployments}-clone-${signal}`, fresh.release.version);
    expect((await readdir(versionDir)).filter((n) => n.startsWith('checkout-'))).toEqual([]);
  });

  it.each(SIGNALS)('%s while the images are made: exit 128+n, the lock released, no image', async (signal) => {
    const child = deploy(unbuilt);
    await waitFor(child, /server bundle: |building FROM/);
    send(child, signal);
    const result = await child;
    expect(result.exitCode, String(result.stderr)).toBe(EXIT[signal]);
    expect(await lockOf(unbuilt)).toBe(false);
    expect(await leftovers(docker, unbuilt.release.project)).toEqual([]);
    const commit = (await lastRecord(unbuilt))?.commit;
    expect(commit).toBeUndefined(); // the record is written after the images: none yet
  }, 300_000);

  it.each(GATES.flatMap((gate) => SIGNALS.map((signal) => [signal, gate] as const)))('%s at the gate "%s": exit 128+n, everything removed, record rolled-back', async (signal, gate) => {
    const child = deploy(fresh);
    await waitFor(child, new RegExp(`wait: ${gate} `));
    send(child, signal);
    const result = await child;
    expect(result.exitCode, String(result.stderr)).toBe(EXIT[signal]);
    expect(String(result.stderr).trim().split('\n').at(-1)).toMatch(new RegExp(`^error: interrupted at \\[[ \\d]+/12\\] wait: ${gate} .*; removed what it created \\(.*jobmon985_db_data\\); record \\S+\\.json$`));
    expect(await leftovers(docker, fresh.release.project)).toEqual([]);
    expect(await lastRecord(fresh)).toMatchObject({ status: 'rolled-back', failure: { message: 'interrupted' } });
  }, 300_000);
});

describe('a redeploy stopped by a signal after it parked the previous containers', () => {
  it.each(['DB accepting connections', 'web service healthy', 'monitor polling'].flatMap((gate) => SIGNALS.map((signal) => [signal, gate] as const)))(
    '%s at the gate "%s": the very same previous containers run again under their own names',
    async (signal, gate) => {
      const before = await ids(redo);
      const child = deploy(redo, '--redeploy');
      await waitFor(child, new RegExp(`wait: ${gate} `));
      send(child, signal);
      const result = await child;
      expect(result.exitCode, String(result.stderr)).toBe(EXIT[signal]);
      expect(String(result.stderr)).toMatch(/; restarted the previous jobmon986_db_1/);
      expect(await ids(redo)).toEqual(before);
      expect(await running(redo)).toEqual([true, true, true]);
      expect(await parked(redo)).toEqual([]);
      expect(await lockOf(redo)).toBe(false);
      expect(await lastRecord(redo)).toMatchObject({ status: 'rolled-back' });
      expect(await serves(redo)).toBe(true);
    },
    300_000,
  );

  it('a second Ctrl-C does not cut the rollback short: it says so, and the release is put back', async () => {
    const before = await ids(redo);
    const child = deploy(redo, '--redeploy');
    await waitFor(child, /wait: web service healthy /);
    send(child, 'SIGINT');
    await waitFor(child, /SIGINT: stopping/);
    send(child, 'SIGINT');
    const result = await child;
    expect(result.exitCode, String(result.stderr)).toBe(130);
    expect(String(result.stderr)).toContain('SIGINT again: still cleaning up');
    expect(await ids(redo)).toEqual(before);
    expect(await running(redo)).toEqual([true, true, true]);
    expect(await lockOf(redo)).toBe(false);
    expect(await serves(redo)).toBe(true);
  }, 300_000);
});

describe('kill -9: the next command notices the abandoned run and recovers', () => {
  /** A redeploy killed outright at the web gate: db and jobmon parked, their successors unproven, the lock and a pending record left. */
  async function killedRedeploy(): Promise<string[]> {
    const before = await ids(redo);
    const child = deploy(redo, '--redeploy');
    await waitFor(child, /wait: web service healthy /);
    send(child, 'SIGKILL');
    await child;
    expect(await parked(redo)).toEqual(['jobmon986_db_1.previous', 'jobmon986_jobmon_1.previous']);
    expect(await lockOf(redo)).toBe(true);
    expect(await lastRecord(redo)).toMatchObject({ status: 'pending' });
    return before;
  }

  const expectRecovered = async (before: string[], output: string) => {
    expect(output).toMatch(/^released the lock of release-9\.8\.6 held by \S+ pid \d+ for \d+ s: that process is no longer running on this machine$/m);
    expect(output).toMatch(/^release-9\.8\.6: restored the previous jobmon986_db_1, jobmon986_jobmon_1, which a killed run had parked/m);
    expect(output).toMatch(/^release-9\.8\.6: marked the run of \S+ by \S+, killed before it finished, abandoned in \S+\.json$/m);
    expect(await ids(redo)).toEqual(before);
    expect(await parked(redo)).toEqual([]);
    expect(await lockOf(redo)).toBe(false);
    const abandoned = (await records(redo.deployments, redo.release.version)).filter((r) => r.record.status === 'abandoned').at(-1);
    expect(abandoned?.record.abandoned?.recovered.length).toBeGreaterThanOrEqual(2);
  };

  it('status restores the parked containers, releases the dead holder\'s lock, marks the record abandoned, and shows it', async () => {
    const before = await killedRedeploy();
    const result = await runCli(['--registry', redo.registry, 'status', redo.release.tag], { env: redo.env });
    expect(result.exitCode, result.stderr).toBe(0);
    await expectRecovered(before, result.stderr);
    expect(await lastRecord(redo)).toMatchObject({ status: 'abandoned', abandoned: { by: 'status' } });
    expect(result.stdout).toMatch(/^ {2}last deploy ABANDONED: the run of \S+ by \S+ was killed before it finished/m);
    expect(await serves(redo)).toBe(true);
  }, 300_000);

  it('start recovers the same way, then starts the stack under the lock', async () => {
    const before = await killedRedeploy();
    const result = await runCli(['--registry', redo.registry, 'start', redo.release.tag, '--timeout', '120'], { env: redo.env, timeoutMs: 200_000 });
    expect(result.exitCode, result.stderr).toBe(0);
    await expectRecovered(before, result.stderr);
    expect(await running(redo)).toEqual([true, true, true]);
  }, 240_000);

  it('deploy recovers first, then redeploys; the abandoned record stays as history', async () => {
    const before = await killedRedeploy();
    const child = deploy(redo, '--redeploy');
    const result = await child;
    expect(result.exitCode, String(result.stderr)).toBe(0);
    await expect(ids(redo)).resolves.not.toEqual(before);
    expect(String(result.stderr)).toMatch(/^release-9\.8\.6: restored the previous/m);
    const statuses = (await records(redo.deployments, redo.release.version)).map((r) => r.record.status);
    expect(statuses.slice(-2)).toEqual(['abandoned', 'deployed']);
    expect(await parked(redo)).toEqual([]);
    expect(await lockOf(redo)).toBe(false);
  }, 240_000);

  it('a deploy killed while it cloned leaves its lock; the next command that takes it (here stop) releases it with a line', async () => {
    const stalling = await startGitServer(unbuilt.repo.bare);
    const dir = `${unbuilt.deployments}-killed`;
    try {
      const child = startDeploy(unbuilt.deployArgs().map((a) => (a === unbuilt.repo.bare ? stalling.url : a)), { ...unbuilt.env, JOBMON_DEPLOYMENTS_DIR: dir });
      await waitFor(child, /^preflight ok/m);
      stalling.stall();
      await waitFor(child, /checkout release-9\.8\.4/);
      send(child, 'SIGKILL');
      await child;
    } finally {
      await stalling.close();
    }
    expect(await lockOf(unbuilt)).toBe(true);
    const stop = await runCli(['--registry', unbuilt.registry, 'stop', unbuilt.release.tag], { env: unbuilt.env });
    expect(stop.stderr).toMatch(/^released the lock of release-9\.8\.4 held by .+: that process is no longer running on this machine$/m);
    expect(await lockOf(unbuilt)).toBe(false);
    expect(existsSync(dir)).toBe(true);
  }, 300_000);
});
