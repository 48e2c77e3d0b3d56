import type Docker from 'dockerode';
import { projectContainers, type ContainerBrief } from './engine-state.js';
import { parkedName } from './execute-steps.js';
import { ownerIsProvablyDead } from './lock-liveness.js';
import { inspectLock, lockName, type HeldLock } from './lock.js';
import { COMPOSE, resourceNames } from './names.js';
import { latestRecord, writeRecord } from './record.js';

/**
 * A deploy killed outright (kill -9, a lost machine) cannot roll itself back:
 * it leaves its lock on the engine, its record `pending`, and during a
 * redeploy the previous containers stopped and parked as `<name>.previous`.
 * The next command that touches the release (deploy, status, start, and the
 * others that take the lock) puts that right here, before anything else:
 *
 * - a lock whose holder provably died on this machine is released, with a
 *   line saying so; one held by a live process, or from another machine, is
 *   left alone (and nothing else is touched: a run may be under way);
 * - parked containers are restored (their unproven successors removed) when
 *   the newest record is not `deployed`, that is when the new stack never
 *   passed every health gate; after a proven run they are removed;
 * - a `pending` newest record is marked `abandoned`, naming what was done.
 */

export interface RecoverInput {
  docker: Docker;
  project: string;
  /** The release as people name it, for the lines. */
  release: string;
  version: string;
  deploymentsRoot: string;
  /** The command that noticed, for the record. */
  by: string;
  log: (line: string) => void;
  /** `--break-lock`: the operator says the holder is dead, wherever it ran. */
  breakLock?: boolean;
}

export interface RecoverResult {
  /** A lock still held by a live (or not provably dead) process: nothing was touched. */
  held?: HeldLock;
  /** What was put right, one phrase each; empty when there was nothing to do. */
  recovered: string[];
}

const statusOf = (error: unknown) => (error as { statusCode?: number }).statusCode;
const SUFFIX = parkedName('');
const SERVICE_ORDER = ['db', 'jobmon', 'monitor'];
const serviceRank = (name: string) => SERVICE_ORDER.findIndex((s) => name.endsWith(`_${s}_1${SUFFIX}`));

async function removeIfThere(docker: Docker, id: string): Promise<void> {
  await docker.getContainer(id).remove({ force: true }).catch((error: unknown) => {
    if (statusOf(error) !== 404) throw error;
  });
}

/** Parked containers get their names back and start, the DB first; the unproven ones in their place go. */
async function restoreParked(docker: Docker, parked: ContainerBrief[], all: ContainerBrief[]): Promise<string> {
  const names: string[] = [];
  for (const p of [...parked].sort((a, b) => serviceRank(a.name) - serviceRank(b.name))) {
    const name = p.name.slice(0, -SUFFIX.length);
    const successor = all.find((c) => c.name === name);
    if (successor) await removeIfThere(docker, successor.id);
    await docker.getContainer(p.id).rename({ name });
    await docker.getContainer(name).start().catch((error: unknown) => {
      if (statusOf(error) !== 304) throw error; // already running
    });
    names.push(name);
  }
  return `restored the previous ${names.join(', ')}, which a killed run had parked before its new containers proved healthy`;
}

/** Finds and repairs what an abandoned run of `release` left; see the module comment. */
export async function recoverAbandonedRun(input: RecoverInput): Promise<RecoverResult> {
  const { docker, project, release } = input;
  const recovered: string[] = [];
  const held = await inspectLock(docker, project);
  if (held) {
    const dead = input.breakLock || (held.owner !== undefined && ownerIsProvablyDead(held.owner));
    if (!dead) return { held, recovered };
    await removeIfThere(docker, lockName(project));
    recovered.push(
      input.breakLock
        ? `broke the deploy lock of ${release} held by ${held.holder} for ${held.age}`
        : `released the lock of ${release} held by ${held.holder} for ${held.age}: that process is no longer running on this machine`,
    );
  }
  const all = await projectContainers(docker, project);
  const parked = all.filter((c) => c.name.endsWith(SUFFIX));
  const current = await latestRecord(input.deploymentsRoot, input.version);
  if (parked.length > 0) {
    if (current?.record.status === 'deployed') {
      for (const p of parked) await removeIfThere(docker, p.id);
      recovered.push(`${release}: removed the replaced ${parked.map((p) => p.name).join(', ')}, left by a run killed after its new stack proved healthy`);
    } else {
      recovered.push(`${release}: ${await restoreParked(docker, parked, all)}`);
    }
  }
  if (current?.record.status === 'pending') {
    // Its one-shot initdb, if it was killed while that ran; the next deploy runs its own.
    const initdb = all.find((c) => c.name === resourceNames(project).containers.initdb);
    if (initdb) {
      await removeIfThere(docker, initdb.id);
      recovered.push(`${release}: removed ${initdb.name}, the killed run's one-shot schema step`);
    }
    const noticedAt = new Date().toISOString();
    await writeRecord(current.file, { ...current.record, status: 'abandoned', abandoned: { noticedAt, by: input.by, recovered } });
    recovered.push(`${release}: marked the run of ${current.record.deployedAt} by ${current.record.deployUser}, killed before it finished, abandoned in ${current.file}`);
  }
  for (const line of recovered) input.log(line);
  return { recovered };
}

/** Compose projects with a lock or a parked container on the engine: where a killed run may have left something. */
export async function projectsToRecover(docker: Docker): Promise<Set<string>> {
  const out = new Set<string>();
  for (const c of await docker.listContainers({ all: true })) {
    const name = (c.Names[0] ?? '').replace(/^\//, '');
    const lockOf = /^(.+)_deploy_lock$/.exec(name)?.[1];
    if (lockOf) out.add(lockOf);
    const project = c.Labels?.[COMPOSE.project];
    if (project && name.endsWith(SUFFIX)) out.add(project);
  }
  return out;
}
