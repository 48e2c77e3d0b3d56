import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCheckout, findReleaseTag, readFileAtTag, repoUrl, tagCandidates } from '../../src/deploy/git-tag.js';
import { makeTempDir } from '../helpers/cli.js';

/** Tags in a real local bare repository: lightweight and annotated, semver and not. */
describe('release tags in a repository', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let bare: string;
  let commit: string;
  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir());
    const work = path.join(dir, 'work');
    bare = path.join(dir, 'repo.git');
    await mkdir(work);
    const git = (...args: string[]) => execa('git', args, { cwd: work, env: { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
    await git('init', '-q', '-b', 'main');
    await writeFile(path.join(work, 'ports.json'), '{"format":1}\n');
    await git('add', '.');
    await git('commit', '-q', '-m', 'one');
    await git('tag', '-a', 'release-1.2.3', '-m', 'annotated');
    await git('tag', '4.5.6');
    await git('tag', 'kelly-and-leo');
    commit = (await git('rev-parse', 'HEAD')).stdout.trim();
    await execa('git', ['clone', '-q', '--bare', work, bare]);
  });
  afterAll(() => cleanup());

  it('looks for release-X.Y.Z first, then X.Y.Z, for a bare version', () => {
    expect(tagCandidates('1.2.3')).toEqual(['release-1.2.3', '1.2.3']);
    expect(tagCandidates('release-1.2.3')).toEqual(['release-1.2.3']);
    expect(tagCandidates('http.11')).toEqual(['http.11']);
    expect(repoUrl('ssh://git@host/x.git')).toBe('ssh://git@host/x.git');
    expect(repoUrl('git@host:x.git')).toBe('git@host:x.git');
  });

  it('finds an annotated tag at its commit, and a bare version tag', async () => {
    expect(await findReleaseTag(bare, tagCandidates('1.2.3'))).toEqual({ tag: 'release-1.2.3', commit, version: '1.2.3' });
    expect(await findReleaseTag(bare, tagCandidates('4.5.6'))).toEqual({ tag: '4.5.6', commit, version: '4.5.6' });
  });

  it('refuses an unknown tag, a non-semver tag and an unreadable repository with the fix', async () => {
    await expect(findReleaseTag(bare, ['release-9.9.9'])).rejects.toThrow(/^no tag release-9\.9\.9 in .*; check the name/);
    await expect(findReleaseTag(bare, ['kelly-and-leo'])).rejects.toThrow(/^tag kelly-and-leo in .* is not a semver release/);
    await expect(findReleaseTag(path.join(dir, 'nothing.git'), ['release-1.2.3'])).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/^cannot read the repository .*nothing\.git/) });
  });

  it('reads a file at the tag from a temporary shallow fetch, and clones a checkout once', async () => {
    const tag = await findReleaseTag(bare, ['release-1.2.3']);
    expect(await readFileAtTag(bare, tag, 'ports.json')).toBe('{"format":1}');
    expect(await readFileAtTag(bare, tag, 'missing.json')).toBeUndefined();
    const checkout = path.join(dir, 'checkout');
    expect(await ensureCheckout(bare, tag, checkout)).toEqual({ reused: false });
    expect(await readFile(path.join(checkout, 'ports.json'), 'utf8')).toBe('{"format":1}\n');
    expect((await execa('git', ['rev-parse', '--is-shallow-repository'], { cwd: checkout })).stdout).toBe('true');
    expect(await ensureCheckout(bare, tag, checkout)).toEqual({ reused: true });
  });

  it('a failed clone leaves no half-made folder beside the checkout', async () => {
    const tag = await findReleaseTag(bare, ['release-1.2.3']);
    const parent = path.join(dir, 'failed-clone');
    await mkdir(parent);
    await expect(ensureCheckout(bare, { ...tag, tag: 'no-such-tag' }, path.join(parent, 'checkout'))).rejects.toThrow(/^cannot clone no-such-tag from /);
    expect(await readdir(parent)).toEqual([]);
  });

  it('Ctrl-C stops git waiting on a remote that never answers: exit code 130, at once', async () => {
    // A git:// server that accepts and then says nothing: git would wait for its 120 s limit.
    const sockets: Socket[] = [];
    const server = createServer((socket) => sockets.push(socket)).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as { port: number };
    try {
      const controller = new AbortController();
      const connected = new Promise((resolve) => server.once('connection', resolve));
      const pending = findReleaseTag(`git://127.0.0.1:${port}/jobmon.git`, ['release-1.2.3'], controller.signal);
      await connected;
      controller.abort();
      await expect(pending).rejects.toMatchObject({ exitCode: 130, message: 'interrupted during git ls-remote; nothing half-made was kept' });
    } finally {
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });
});
