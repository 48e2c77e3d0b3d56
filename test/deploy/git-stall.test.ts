import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureCheckout, findReleaseTag, readFileAtTag, type RemoteTag } from '../../src/deploy/git-tag.js';
import { runGit } from '../../src/util/git.js';
import { makeTempDir } from '../helpers/cli.js';
import { makeTaggedBareRepo, startGitServer, type GitServer } from '../helpers/git-server.js';
import { childrenOf } from '../helpers/procs.js';

/**
 * git through simple-git against a real git:// remote that stops answering
 * (test/helpers/git-server.ts): Ctrl-C stops ls-remote, fetch and clone at
 * once and leaves nothing behind, and a hung remote fails at the limit.
 */
let dir: string;
let cleanup: () => Promise<void>;
let bare: string;
let tag: RemoteTag;
let server: GitServer;
const savedTmp = process.env.TMPDIR;

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('jobmon-ops-git-stall-'));
  ({ bare } = await makeTaggedBareRepo(dir, '{"format":1}\n', 'release-1.2.3'));
  tag = await findReleaseTag(bare, ['release-1.2.3']);
});
beforeEach(async () => {
  server = await startGitServer(bare);
  // readFileAtTag's temporary repository is made here, so what it leaves is seen.
  process.env.TMPDIR = path.join(dir, `tmp-${Date.now()}`);
  await mkdir(process.env.TMPDIR);
});
afterEach(async () => {
  await server.close();
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
});
afterAll(() => cleanup());

/** The git commands this process still runs (the git daemons serving the remote are not counted). */
const gitChildren = async () => (await childrenOf(process.pid)).filter((p) => /^git (ls-remote|fetch|clone)\b/.test(p.cmdline));

/** Starts `call` against the stalled remote, aborts once git has connected, and returns how long git took to stop. */
async function abortWhenConnected(call: (signal: AbortSignal) => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  server.stall();
  const controller = new AbortController();
  const connected = server.nextConnection();
  const pending = call(controller.signal).then(
    () => ({ error: undefined }),
    (error: unknown) => ({ error }),
  );
  await connected;
  expect(await gitChildren()).toHaveLength(1);
  const start = Date.now();
  controller.abort();
  const { error } = await pending;
  return { error, ms: Date.now() - start };
}

describe('Ctrl-C while git waits on a remote that never answers', () => {
  it('ls-remote: exit 130, the pinned line, git gone at once', async () => {
    const { error, ms } = await abortWhenConnected((signal) => findReleaseTag(server.url, ['release-1.2.3'], signal));
    expect(error).toMatchObject({ exitCode: 130, message: 'interrupted during git ls-remote; nothing half-made was kept' });
    expect(ms).toBeLessThan(1000);
    expect(await gitChildren()).toEqual([]);
  });

  it('the shallow fetch of the tag: exit 130, its temporary repository removed', async () => {
    const { error, ms } = await abortWhenConnected((signal) => readFileAtTag(server.url, tag, 'ports.json', signal));
    expect(error).toMatchObject({ exitCode: 130, message: 'interrupted during git fetch; nothing half-made was kept' });
    expect(ms).toBeLessThan(1000);
    expect(await gitChildren()).toEqual([]);
    expect(await readdir(process.env.TMPDIR!)).toEqual([]);
  });

  it('the clone: exit 130, no checkout and no .partial folder', async () => {
    const parent = path.join(dir, `clone-${Date.now()}`);
    await mkdir(parent);
    const { error, ms } = await abortWhenConnected((signal) => ensureCheckout(server.url, tag, path.join(parent, 'checkout'), signal));
    expect(error).toMatchObject({ exitCode: 130, message: 'interrupted during git clone; nothing half-made was kept' });
    expect(ms).toBeLessThan(1000);
    expect(await gitChildren()).toEqual([]);
    expect(await readdir(parent)).toEqual([]);
  });

  it('a signal already given: git never starts', async () => {
    const connections: string[] = [];
    void server.nextConnection().then(() => connections.push('connected'));
    await expect(findReleaseTag(server.url, ['release-1.2.3'], AbortSignal.abort())).rejects.toMatchObject({ exitCode: 130 });
    expect(connections).toEqual([]);
  });
});

describe('a remote that hangs', () => {
  it.each([
    ['ls-remote', () => ['ls-remote', '--tags', '--', server.url]],
    ['fetch', () => ['fetch', '-q', '--depth', '1', '--', server.url, '+refs/tags/release-1.2.3:refs/tags/release-1.2.3']],
    ['clone', () => ['clone', '-q', '--depth', '1', '--', server.url, path.join(dir, `hung-${Date.now()}`)]],
  ])('%s fails at the limit with a line naming it, and git is stopped', async (command, args) => {
    const cwd = path.join(dir, `bare-${command}`);
    await execa('git', ['init', '-q', '--bare', cwd]);
    server.stall();
    const start = Date.now();
    const result = await runGit(args(), { cwd, limitSeconds: 1 });
    expect(result).toEqual({ ok: false, stdout: '', error: `git ${command} timed out after 1 s` });
    expect(Date.now() - start).toBeGreaterThanOrEqual(1000);
    expect(Date.now() - start).toBeLessThan(3000);
    expect(await gitChildren()).toEqual([]);
  });

  it('a remote that answers within the limit is read as before', async () => {
    expect(await runGit(['ls-remote', '--tags', '--', server.url], { limitSeconds: 10 })).toMatchObject({ ok: true, stdout: `${tag.commit}\trefs/tags/release-1.2.3` });
  });
});
