import { createServer } from 'node:net';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { connectEngine } from '../../src/deploy/engine.js';

/** Every resource a test creates carries this label, so a later run can sweep what a crashed one left. */
export const TEST_LABEL = 'org.jobmon-ops.test';
export const TEST_LABELS = { [TEST_LABEL]: '1' } as const;
/** Leftovers older than this are swept; younger ones may belong to a concurrent run. */
export const DOCKER_SWEEP_AGE_S = 30 * 60;

/** The engine the tests use: DOCKER_HOST or the local socket (never a configured remote one). */
export function testEngine(): ReturnType<typeof connectEngine> {
  return connectEngine({ env: process.env, config: { hosts: {} } });
}

const labelFilter = JSON.stringify({ label: [`${TEST_LABEL}=1`] });

/** Removes labelled containers, volumes and images older than `ageS`; returns how many. */
export async function sweepTestResources(docker: Docker, ageS = DOCKER_SWEEP_AGE_S): Promise<number> {
  const cutoff = Date.now() / 1000 - ageS;
  let swept = 0;
  for (const c of await docker.listContainers({ all: true, filters: labelFilter })) {
    if (c.Created > cutoff) continue;
    await docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined);
    swept++;
  }
  for (const v of (await docker.listVolumes({ filters: labelFilter })).Volumes ?? []) {
    const created = Date.parse((v as { CreatedAt?: string }).CreatedAt ?? '') / 1000;
    if (!(created <= cutoff)) continue;
    await docker.getVolume(v.Name).remove().catch(() => undefined);
    swept++;
  }
  for (const i of await docker.listImages({ filters: labelFilter } as Docker.ListImagesOptions)) {
    if (i.Created > cutoff) continue;
    await docker.getImage(i.Id).remove({ force: true }).catch(() => undefined);
    swept++;
  }
  return swept;
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Demultiplexed logs of a (non-TTY) container. */
export async function containerLogs(container: Docker.Container): Promise<{ stdout: string; stderr: string }> {
  const raw = await container.logs({ stdout: true, stderr: true, follow: false });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  // Frames: 1 byte stream, 3 padding, 4 bytes length (big-endian), payload.
  for (let at = 0; at + 8 <= raw.length; ) {
    const size = raw.readUInt32BE(at + 4);
    (raw[at] === 2 ? err : out).push(raw.subarray(at + 8, at + 8 + size));
    at += 8 + size;
  }
  return { stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

/** Runs a labelled container to its end and removes it; its exit code and output. */
export async function runOnce(
  docker: Docker,
  options: { image: string; cmd?: string[]; entrypoint?: string[]; env?: string[] },
): Promise<{ exitCode: number; stdout: string; stderr: string; user: string }> {
  const container = await docker.createContainer({
    Image: options.image,
    Labels: { ...TEST_LABELS },
    ...(options.cmd ? { Cmd: options.cmd } : {}),
    ...(options.entrypoint ? { Entrypoint: options.entrypoint } : {}),
    ...(options.env ? { Env: options.env } : {}),
    HostConfig: { NetworkMode: 'none' },
  });
  try {
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    const logs = await containerLogs(container);
    const user = (await container.inspect()).Config.User;
    return { exitCode: StatusCode, ...logs, user };
  } finally {
    await container.remove({ force: true });
  }
}

/** A command's exit code and output (stdout and stderr together) inside a running container, as `user` if given. */
export async function execRun(docker: Docker, container: Docker.Container, cmd: string[], user?: string): Promise<{ exitCode: number; output: string }> {
  const exec = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, ...(user ? { User: user } : {}) });
  const stream = await exec.start({ hijack: true, stdin: false });
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  docker.modem.demuxStream(stream, out, out);
  await new Promise((resolve) => stream.on('end', resolve));
  // The engine records the exit code just after the stream ends.
  let info = await exec.inspect();
  while (info.Running) info = await new Promise((r) => setTimeout(r, 50)).then(() => exec.inspect());
  return { exitCode: info.ExitCode ?? -1, output: Buffer.concat(chunks).toString() };
}

/** Output of a command run inside a running container (exec), demultiplexed. */
export async function execIn(docker: Docker, container: Docker.Container, cmd: string[]): Promise<string> {
  return (await execRun(docker, container, cmd)).output;
}

/** Waits until the container's health check says healthy; fails naming its last state. */
export async function waitHealthy(container: Docker.Container, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let state = '';
  while (Date.now() < deadline) {
    const info = await container.inspect();
    state = info.State.Health?.Status ?? info.State.Status;
    if (state === 'healthy') return;
    if (!info.State.Running) throw new Error(`container ${info.Name} stopped (exit ${info.State.ExitCode})`);
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`container not healthy within ${timeoutMs} ms (last state: ${state})`);
}

/**
 * A MariaDB image of this tree's templates, for tests that need only a DB
 * container: built by the test itself (not whatever jobmon-mariadb image the
 * engine happens to hold, which may be another version's), labelled as a
 * test resource, and without the server bundle, so nothing runs npm in this
 * checkout. Docker's layer cache makes a second build take a second.
 */
export async function testDbImage(docker: Docker): Promise<string> {
  const { buildImage, resolveBaseImage } = await import('../../src/deploy/image-build.js');
  const { bootstrapTag } = await import('../../src/deploy/images.js');
  const { REPO_ROOT } = await import('./cli.js');
  const named = bootstrapTag('bookworm');
  const hasBase = await docker.getImage(named).inspect().then(() => true, () => false);
  const base = await resolveBaseImage(docker, hasBase ? named : undefined);
  const tag = 'jobmon-mariadb:tests';
  await buildImage({ docker, role: 'db', tag, checkoutDir: REPO_ROOT, base, labels: { ...TEST_LABELS }, log: () => undefined, timeoutSeconds: 600 });
  return tag;
}
