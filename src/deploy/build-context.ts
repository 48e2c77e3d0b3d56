import { access, chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { ProblemsFoundError } from '../errors.js';
import { childEnv } from '../util/child-env.js';
import { checkoutChanges } from './git-tag.js';
import { buildContextFiles, NODE_LABEL, NODE_PACKAGE, NODE_PACKAGE_DIR, SERVER_PACKAGE_JSON, type ImageRole } from './images.js';

const exists = (file: string) => access(file).then(() => true, () => false);

export interface PrepareBundleOptions {
  checkoutDir: string;
  log: (line: string) => void;
  signal?: AbortSignal;
  timeoutSeconds: number;
}

/**
 * The server bundle of the checkout, `dist/server.js`, made from its commit
 * each time: the checkout must be unchanged (git status), its dist/ is
 * removed, then `npm ci` and the checkout's own build script make it. A dist/
 * that was there (an older build, a copy) is never packed into an image.
 */
export async function prepareServerBundle({ checkoutDir, log, signal, timeoutSeconds }: PrepareBundleOptions): Promise<void> {
  const changes = await checkoutChanges(checkoutDir);
  if (changes.length > 0) {
    const more = changes.length > 1 ? ` and ${changes.length - 1} more` : '';
    throw new ProblemsFoundError(`${checkoutDir} differs from its commit (git status: ${changes[0]!.trim()}${more}), so an image of it would not be that commit; remove the folder and deploy again`);
  }
  await rm(path.join(checkoutDir, 'dist'), { recursive: true, force: true });
  const steps: [string, string[]][] = [
    ['npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund']],
    [process.execPath, ['scripts/build.mjs']],
  ];
  for (const [file, args] of steps) {
    const shown = `${path.basename(file)} ${args.join(' ')}`;
    log(`server bundle: ${shown} in ${checkoutDir}`);
    const result = await execa(file, args, {
      cwd: checkoutDir,
      reject: false,
      all: true,
      stdin: 'ignore',
      // The tag's build script is the repository's code: it gets the allowlisted environment only, no secret of ours.
      env: childEnv(process.env),
      extendEnv: false,
      timeout: timeoutSeconds * 1000,
      ...(signal ? { cancelSignal: signal } : {}),
    });
    if (signal?.aborted) throw signal.reason;
    if (result.exitCode !== 0) {
      const tail = (result.all ?? '').split('\n').filter((l) => l.trim() !== '').slice(-10);
      const why = result.timedOut ? `timed out after ${timeoutSeconds} s` : `exit ${result.exitCode ?? result.signal}`;
      throw new ProblemsFoundError(`building the server bundle failed: ${shown} in ${checkoutDir}: ${why}`, tail);
    }
  }
  if (!(await exists(path.join(checkoutDir, 'dist/server.js')))) {
    throw new ProblemsFoundError(`the build of ${checkoutDir} made no dist/server.js; that commit cannot be deployed as a jobmon-server image`);
  }
}

/**
 * The version of the node the checkout pins for its server image, read from
 * its own node_modules (its `npm ci` installed it): a path, not a module
 * lookup, which would also search node_modules above the checkout.
 */
export async function checkoutNodeVersion(checkoutDir: string): Promise<string> {
  const manifest = path.join(checkoutDir, NODE_PACKAGE_DIR, 'package.json');
  const text = await readFile(manifest, 'utf8').catch(() => undefined);
  const version = text === undefined ? undefined : (JSON.parse(text) as { version?: unknown }).version;
  if (typeof version !== 'string') {
    throw new ProblemsFoundError(`${checkoutDir} has no ${NODE_PACKAGE_DIR} after npm ci, so its server image has no node; deploy a release whose package.json pins ${NODE_PACKAGE}`);
  }
  return version;
}

/**
 * A temporary build context for one image: the Dockerfile and files from the
 * checkout's `templates/` (and, for the server, its bundle and the node its
 * package.json pins), and the labels that say what went in. The caller
 * removes it with `cleanup`.
 */
export async function assembleBuildContext(role: ImageRole, checkoutDir: string): Promise<{ dir: string; files: string[]; labels: Record<string, string>; cleanup: () => Promise<void> }> {
  const hasMap = await exists(path.join(checkoutDir, 'dist/server.js.map'));
  const labels: Record<string, string> = role === 'server' ? { [NODE_LABEL]: await checkoutNodeVersion(checkoutDir) } : {};
  const sources = buildContextFiles(role, hasMap);
  const dir = await mkdtemp(path.join(tmpdir(), `jobmon-ops-${role}-image-`));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    for (const [target, source] of Object.entries(sources)) {
      const from = path.resolve(checkoutDir, source);
      if (!(await exists(from))) {
        throw new ProblemsFoundError(`${checkoutDir} has no ${source}, which the ${role} image needs; deploy a release whose checkout has templates/ and the jobmon-server build`);
      }
      await mkdir(path.dirname(path.join(dir, target)), { recursive: true });
      await copyFile(from, path.join(dir, target));
    }
    // The context's modes are the image's: tar-fs keeps them.
    if (role === 'db') await chmod(path.join(dir, 'mariadb-entrypoint.sh'), 0o755);
    if (role === 'server') {
      await chmod(path.join(dir, 'node'), 0o755);
      await writeFile(path.join(dir, 'package.json'), SERVER_PACKAGE_JSON);
    }
  } catch (error) {
    await cleanup();
    throw error;
  }
  const files = Object.keys(sources);
  return { dir, files: role === 'server' ? [...files, 'package.json'] : files, labels, cleanup };
}
