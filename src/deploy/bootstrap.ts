import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { constants } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { execa } from 'execa';
import { ProblemsFoundError } from '../errors.js';
import { childEnv } from '../util/child-env.js';
import { baseImageChanges, splitImageName, summarizeBuild, type BuildEvent } from './images.js';

/** The executable's path on `PATH`, or undefined. */
export async function findExecutable(name: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const file = path.join(dir, name);
    if (await access(file, constants.X_OK).then(() => true, () => false)) return file;
  }
  return undefined;
}

/** Mount points below `dir`, deepest first (debootstrap mounts /proc and /sys in its target). */
export async function mountsUnder(dir: string): Promise<string[]> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
  return info
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((point): point is string => point !== undefined)
    .map(unescape)
    .filter((point) => point.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

/** Removes a debootstrap target, unmounting what an interrupted run left mounted inside it first. */
export async function removeRootfs(dir: string): Promise<void> {
  for (const point of await mountsUnder(dir)) await execa('umount', ['-l', point], { reject: false, env: childEnv(process.env), extendEnv: false });
  await rm(dir, { recursive: true, force: true });
}

/** Runs a process in its own group, so an abort stops its children too (dpkg under debootstrap). */
async function runGroup(file: string, args: string[], log: (line: string) => void, signal?: AbortSignal) {
  // debootstrap and what it runs get the allowlisted environment only (its PATH and proxy included), no secret of ours.
  const child = execa(file, args, { reject: false, all: true, stdin: 'ignore', detached: true, env: childEnv(process.env), extendEnv: false });
  const stop = () => {
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  };
  signal?.addEventListener('abort', stop, { once: true });
  const reading = (async () => {
    for await (const line of child.iterable({ from: 'all' })) if (line.trim() !== '') log(line);
  })();
  try {
    const result = await child;
    await reading;
    return result;
  } finally {
    signal?.removeEventListener('abort', stop);
  }
}

export interface BootstrapOptions {
  docker: Docker;
  suite: string;
  /** The image name, e.g. jobmon-ops/bookworm:base. */
  image: string;
  /** Progress lines (milestones). */
  log: (line: string) => void;
  /** Every line of debootstrap's output (--verbose). */
  debug: (line: string) => void;
  signal?: AbortSignal;
  /** Extra labels (tests). */
  labels?: Record<string, string>;
}

/**
 * `debootstrap --variant=minbase <suite>` into a temporary folder, then
 * `tar -c` of it streamed into the engine's image import, labelled
 * `org.jobmon-ops.base=<suite>`. The folder is removed whatever happens.
 * Needs root and debootstrap (the caller checks both first).
 */
export async function bootstrapBaseImage({ docker, suite, image, log, debug, signal, labels }: BootstrapOptions): Promise<string> {
  const work = await mkdtemp(path.join(tmpdir(), 'jobmon-ops-bootstrap-'));
  const rootfs = path.join(work, 'rootfs');
  try {
    let started = Date.now();
    log(`debootstrap --variant=minbase ${suite} into ${rootfs} (about 30 s)`);
    const milestone = /^I: (Retrieving Release|Checking component|Installing core|Unpacking the base|Configuring the base|Base system)/;
    const boot = await runGroup('debootstrap', ['--variant=minbase', suite, rootfs], (line) => (milestone.test(line) ? log(line) : debug(line)), signal);
    if (signal?.aborted) throw signal.reason;
    if (boot.exitCode !== 0) {
      const details = await readFile(path.join(rootfs, 'debootstrap/debootstrap.log'), 'utf8').then((t) => t.trim().split('\n').slice(-10), () => []);
      const tail = (boot.all ?? '').trim().split('\n').slice(-5);
      throw new ProblemsFoundError(`debootstrap ${suite} failed (exit ${boot.exitCode ?? boot.signal}): ${tail.at(-1) ?? 'no output'}`, [...tail, ...details]);
    }
    log(`rootfs ready in ${((Date.now() - started) / 1000).toFixed(1)} s; importing it as ${image}`);
    started = Date.now();
    const tar = execa('tar', ['--numeric-owner', '-C', rootfs, '-c', '.'], {
      stdin: 'ignore',
      env: childEnv(process.env),
      extendEnv: false,
      buffer: { stdout: false },
      reject: false,
      ...(signal ? { cancelSignal: signal } : {}),
    });
    const { repo, tag } = splitImageName(image);
    const response = await docker.importImage(tar.stdout, { repo, tag, changes: baseImageChanges(suite, labels), ...(signal ? { abortSignal: signal } : {}) });
    const events = await new Promise<BuildEvent[]>((resolve, reject) => {
      docker.modem.followProgress(response, (error, result: BuildEvent[]) => (error ? reject(error) : resolve(result)));
    });
    const tarResult = await tar;
    if (signal?.aborted) throw signal.reason;
    const summary = summarizeBuild(events);
    if (tarResult.exitCode !== 0) throw new ProblemsFoundError(`tar of ${rootfs} failed (exit ${tarResult.exitCode}): ${tarResult.stderr.split('\n').at(-1)}`);
    if (summary.error) throw new ProblemsFoundError(`the engine refused the import of ${image}: ${summary.error}`);
    const id = (await docker.getImage(image).inspect()).Id;
    log(`imported ${image} (${id.slice(7, 19)}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return id;
  } finally {
    await removeRootfs(work);
  }
}
