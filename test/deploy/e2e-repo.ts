import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { REPO_ROOT } from '../helpers/cli.js';

/**
 * A bare git repository made from this working tree, as a release manager's
 * would be: one commit of the tree with a ports.json that registers test
 * releases on a host `local`, and tags. The commit's date and author are
 * fixed, so the same tree gives the same commit, and the images (tagged by
 * commit) are built once, then reused by later runs until the global setup
 * sweeps them (they carry the test label like every other test resource).
 */

export const TEST_HOST = 'local';

export interface TestRelease {
  tag: string;
  version: string;
  project: string;
  db: number;
  service: number;
}

export interface TestRepo {
  bare: string;
  commit: string;
  releases: Record<'main' | 'spare', TestRelease>;
  cleanup(): Promise<void>;
}

const FIXED = {
  GIT_AUTHOR_NAME: 'jobmon-ops test',
  GIT_AUTHOR_EMAIL: 'test@jobmon-ops.invalid',
  GIT_COMMITTER_NAME: 'jobmon-ops test',
  GIT_COMMITTER_EMAIL: 'test@jobmon-ops.invalid',
  GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
};

async function free(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** The first block of high ports whose four ports are all free; the same block run after run, while it stays free. */
async function pickPorts(): Promise<number> {
  for (let base = 47870; base < 60000; base += 20) {
    const all = [base, base + 1, base + 10, base + 11];
    if ((await Promise.all(all.map(free))).every(Boolean)) return base;
  }
  throw new Error('no free block of high ports');
}

const git = (cwd: string, ...args: string[]) => execa('git', args, { cwd, env: FIXED, stdin: 'ignore' });

export async function makeTestRepo(): Promise<TestRepo> {
  const dir = await mkdtemp(path.join(tmpdir(), 'jobmon-ops-e2e-repo-'));
  const work = path.join(dir, 'work');
  const bare = path.join(dir, 'jobmon.git');
  const { stdout } = await execa('git', ['ls-files', '-z', '-co', '--exclude-standard'], { cwd: REPO_ROOT });
  const files = stdout.split('\0').filter((f) => f !== '' && existsSync(path.join(REPO_ROOT, f)));
  // tar keeps the files' modes (the entry point scripts stay executable).
  await execa('bash', ['-c', `mkdir -p "${work}" && tar --null -T - -cf - | tar -xf - -C "${work}"`], { cwd: REPO_ROOT, input: files.join('\0') });
  const base = await pickPorts();
  const main: TestRelease = { tag: 'release-9.8.7', version: '9.8.7', project: 'jobmon987', db: base, service: base + 1 };
  const spare: TestRelease = { tag: 'release-9.8.8', version: '9.8.8', project: 'jobmon988', db: base + 10, service: base + 11 };
  const registry = JSON.parse(await readFile(path.join(work, 'ports.json'), 'utf8'));
  registry.hosts[TEST_HOST] = {
    releases: [
      { label: 'e2e.1', tag: main.tag, jsm1: main.service, db: main.db },
      { label: 'e2e.2', tag: spare.tag, jsm1: spare.service, db: spare.db },
    ],
  };
  await writeFile(path.join(work, 'ports.json'), `${JSON.stringify(registry, null, 2)}\n`);
  await git(work, 'init', '-q', '-b', 'main');
  await git(work, 'add', '-A');
  await git(work, 'commit', '-q', '-m', 'test release');
  // An annotated tag, as a release manager makes one; the others lightweight.
  await git(work, 'tag', '-a', main.tag, '-m', `release ${main.version}`);
  for (const tag of [spare.tag, 'not-a-release']) await git(work, 'tag', tag);
  await execa('git', ['clone', '-q', '--bare', work, bare]);
  const commit = (await git(work, 'rev-parse', 'HEAD')).stdout.trim();
  await rm(work, { recursive: true, force: true });
  return { bare, commit, releases: { main, spare }, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
