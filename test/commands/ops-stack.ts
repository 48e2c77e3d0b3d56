import { readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import type Docker from 'dockerode';
import { execa } from 'execa';
import { bootstrapTag, imageTags } from '../../src/deploy/images.js';
import { makeTempDir } from '../helpers/cli.js';
import { TEST_LABEL } from '../helpers/docker.js';
import { deployEnv, removeProject, runDeploy } from '../deploy/e2e-helpers.js';
import { makeTestRepo, TEST_HOST, type TestRelease, type TestRepo } from '../deploy/e2e-repo.js';

/**
 * The one stack the operating-command suite shares. The deploy harness's own
 * releases (9.8.7, 9.8.8) belong to the deploy suite, which may run at the
 * same time and clears them, so this adds release-9.8.9 (`e2e.ops`, compose
 * project jobmon989) in a second commit of the harness's repository, on ports
 * far from the harness's block. The images of the harness's commit, when the
 * engine has them, are tagged for this commit too (the images hold no
 * ports.json), so no second build is needed.
 */

export interface OpsStack {
  repo: TestRepo;
  release: TestRelease;
  /** The local registry: the tag's ports.json. */
  registry: string;
  deployments: string;
  env: Record<string, string>;
  /** `deploy <release>` with the suite's repository, host, bind address, label and base image, then `extra`. */
  deployArgs(...extra: string[]): string[];
  deploy(): ReturnType<typeof runDeploy>;
  cleanup(): Promise<void>;
}

const FIXED = {
  GIT_AUTHOR_NAME: 'jobmon-ops test', GIT_AUTHOR_EMAIL: 'test@jobmon-ops.invalid', GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
  GIT_COMMITTER_NAME: 'jobmon-ops test', GIT_COMMITTER_EMAIL: 'test@jobmon-ops.invalid', GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
};

const free = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)));
  });

/** Two free ports `offset` above the harness's block (the same ones run after run, so the commit and its images repeat). */
async function pickOpsPorts(base: number, offset: number): Promise<number> {
  for (let port = base + offset; port < 65000; port += 20) if ((await free(port)) && (await free(port + 1))) return port;
  throw new Error('no free pair of high ports');
}

async function reuseImages(docker: Docker, from: string, to: string): Promise<void> {
  const [source, target] = [imageTags(from), imageTags(to)];
  for (const role of ['server', 'db'] as const) {
    const present = async (name: string) => docker.getImage(name).inspect().then(() => true, () => false);
    if ((await present(target[role])) || !(await present(source[role]))) continue;
    const [repo, tag] = target[role].split(':') as [string, string];
    await docker.getImage(source[role]).tag({ repo, tag });
  }
}

export interface ReleaseStackSpec {
  version: string;
  label: string;
  /** How far above the harness's port block to look for two free ports. */
  offset: number;
  /** A file of this content in the commit makes its images new: none to reuse, so a deploy builds them. */
  nonce?: string;
}

export function makeOpsStack(docker: Docker): Promise<OpsStack> {
  return makeReleaseStack(docker, { version: '9.8.9', label: 'e2e.ops', offset: 5000 });
}

/** One more release in its own commit of the harness's repository, with what a suite needs to deploy it. */
export async function makeReleaseStack(docker: Docker, spec: ReleaseStackSpec): Promise<OpsStack> {
  const repo = await makeTestRepo();
  const temp = await makeTempDir('jobmon-ops-ops-');
  const work = path.join(temp.dir, 'work');
  const db = await pickOpsPorts(repo.releases.main.db, spec.offset);
  const release: TestRelease = { tag: `release-${spec.version}`, version: spec.version, project: `jobmon${spec.version.split('.').join('')}`, db, service: db + 1 };
  await execa('git', ['clone', '-q', repo.bare, work]);
  const registry = JSON.parse(await readFile(path.join(work, 'ports.json'), 'utf8'));
  registry.hosts[TEST_HOST].releases.push({ label: spec.label, tag: release.tag, jsm1: release.service, db: release.db });
  const text = `${JSON.stringify(registry, null, 2)}\n`;
  await writeFile(path.join(work, 'ports.json'), text);
  if (spec.nonce !== undefined) await writeFile(path.join(work, 'test-nonce'), spec.nonce);
  const git = (...args: string[]) => execa('git', args, { cwd: work, env: FIXED, stdin: 'ignore' });
  await git('add', '-A');
  await git('commit', '-q', '-m', `register ${release.tag} for the tests`);
  await git('tag', release.tag);
  await git('push', '-q', 'origin', 'HEAD', release.tag);
  const commit = (await git('rev-parse', 'HEAD')).stdout.trim();
  if (spec.nonce === undefined) await reuseImages(docker, repo.commit, commit);
  const registryFile = path.join(temp.dir, 'ports.json');
  await writeFile(registryFile, text);
  const deployments = path.join(temp.dir, 'deployments');
  const env = deployEnv(deployments);
  await removeProject(docker, release.project);
  // The base `images bootstrap` makes, named: the newest image that merely carries the base label may be another suite's.
  const base = bootstrapTag('bookworm');
  const baseArgs = (await docker.getImage(base).inspect().then(() => true, () => false)) ? ['--base-image', base] : [];
  const deployArgs = (...extra: string[]) => ['--registry', registryFile, 'deploy', release.tag, '--yes', '--repo', repo.bare, '--host', TEST_HOST, '--bind', '127.0.0.1', '--label', `${TEST_LABEL}=1`, ...baseArgs, ...extra];
  return {
    repo, release, registry: registryFile, deployments, env, deployArgs,
    deploy: () => runDeploy(deployArgs(), env, 1_500_000),
    async cleanup() {
      await removeProject(docker, release.project);
      await docker.getContainer(`${release.project}_deploy_lock`).remove({ force: true }).catch(() => undefined);
      await repo.cleanup();
      await temp.cleanup();
    },
  };
}
