import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveReleaseSource } from '../../src/deploy/release-source.js';
import { parseRegistry } from '../../src/registry/parse.js';
import type { Registry } from '../../src/registry/schema.js';
import { makeTempDir, REPO_ROOT } from '../helpers/cli.js';

/**
 * Preflight's look at the repository, against a real local bare repository:
 * each tag carries its own ports.json, which must register the release on the
 * target host and agree with the local registry.
 */
describe('the release as its tag registers it', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let bare: string;
  let base: Registry;
  const log: string[] = [];

  /** The project's own ports.json plus host `h1` with these releases. */
  const withHost = (releases: unknown[]) => ({ ...base, hosts: { ...base.hosts, h1: { releases } } });

  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir());
    const parsed = parseRegistry(await readFile(path.join(REPO_ROOT, 'ports.json'), 'utf8'));
    if (!parsed.ok) throw new Error('the project ports.json is invalid');
    base = parsed.registry;
    const work = path.join(dir, 'work');
    bare = path.join(dir, 'jobmon.git');
    await mkdir(work);
    const git = (...args: string[]) =>
      execa('git', args, { cwd: work, env: { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
    await git('init', '-q', '-b', 'main');
    const commitTag = async (registry: unknown, tag: string) => {
      await writeFile(path.join(work, 'ports.json'), `${JSON.stringify(registry, null, 2)}\n`);
      await git('add', '.');
      await git('commit', '-q', '--allow-empty', '-m', tag);
      await git('tag', tag);
    };
    // 5.0.1 registered on h1; 5.0.2's commit forgot to register itself; 5.0.3 is client-only, served by 5.0.1
    // (with its ports, as the registry rules want).
    await commitTag(withHost([{ label: 't.1', tag: 'release-5.0.1', jsm1: 45001, db: 45000 }]), 'release-5.0.1');
    await commitTag(withHost([{ label: 't.1', tag: 'release-5.0.1', jsm1: 45001, db: 45000 }]), 'release-5.0.2');
    await commitTag(withHost([{ label: 't.1', tag: 'release-5.0.1', jsm1: 45001, db: 45000 }, { label: 't.2', tag: 'release-5.0.3', jsm1: 45001, db: 45000, server: 'release-5.0.1' }]), 'release-5.0.3');
    await execa('git', ['clone', '-q', '--bare', work, bare]);
  });
  afterAll(() => cleanup());

  const resolve = (ref: string, local?: Registry) =>
    resolveReleaseSource({ ref, repo: bare, host: 'h1', log: (line) => log.push(line), ...(local ? { local } : {}) });

  it('finds the release and its ports in the tag\'s own ports.json, from a bare version too', async () => {
    const source = await resolve('5.0.1');
    expect(source.tag).toMatchObject({ tag: 'release-5.0.1', version: '5.0.1' });
    expect(source.target.release.release).toMatchObject({ tag: 'release-5.0.1', jsm1: 45001, db: 45000 });
  });

  it('refuses a tag whose ports.json does not register it on the host, naming the fix', async () => {
    await expect(resolve('release-5.0.2')).rejects.toMatchObject({
      exitCode: 2,
      message: 'the ports.json of tag release-5.0.2 does not register it on h1; register it (jobmon-ops ports bump --host h1) in a commit, tag that commit and deploy again',
    });
  });

  it('refuses ports that differ between the tag and the local registry, and accepts them when they agree', async () => {
    const local = parseRegistry(JSON.stringify(withHost([{ label: 't.1', tag: 'release-5.0.1', jsm1: 45001, db: 45999 }])));
    if (!local.ok) throw new Error(JSON.stringify(local.problems));
    await expect(resolve('release-5.0.1', local.registry)).rejects.toMatchObject({
      exitCode: 2,
      message: "the ports of release-5.0.1 on h1 differ: the tag's ports.json has jsm-1 45001, db 45000, the local registry jsm-1 45001, db 45999; make them agree (jobmon-ops ports show release-5.0.1) before deploying",
    });
    const same = parseRegistry(JSON.stringify(withHost([{ label: 't.1', tag: 'release-5.0.1', jsm1: 45001, db: 45000 }])));
    if (!same.ok) throw new Error(JSON.stringify(same.problems));
    await expect(resolve('release-5.0.1', same.registry)).resolves.toMatchObject({ tag: { tag: 'release-5.0.1' } });
  });

  it('deploys a client-only release as its server release, and says so', async () => {
    log.length = 0;
    const source = await resolve('release-5.0.3');
    expect(source.tag.tag).toBe('release-5.0.1');
    expect(source.target.aliasOf?.release.tag).toBe('release-5.0.3');
    expect(log).toEqual(['note: release-5.0.3 is client-only; deploying its server release release-5.0.1']);
  });
});
