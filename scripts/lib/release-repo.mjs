// A release of this checkout in a temporary bare repository, as a release
// manager would make one: the tracked tree committed with a ports.json that
// registers the release on free high ports for a host, and tagged. Used by the
// demo (scripts/demo.mjs) and the deploy benchmark (bench/deploy.mjs).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

async function free(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Makes the repository; `cleanup()` removes every temporary file (not the engine's resources). */
export async function makeReleaseRepo({ root, version, host, label, firstPort }) {
  const work = mkdtempSync(path.join(tmpdir(), 'jobmon-ops-release-'));
  const tree = path.join(work, 'tree');
  const bare = path.join(work, 'jobmon.git');
  let base = firstPort;
  while (!((await free(base)) && (await free(base + 1)))) base += 10;
  const release = { tag: `release-${version}`, version, db: base, service: base + 1, project: `jobmon${version.split('.').join('')}` };
  const files = execFileSync('git', ['ls-files', '-z', '-co', '--exclude-standard'], { cwd: root })
    .toString()
    .split('\0')
    .filter((f) => f && existsSync(path.join(root, f)));
  // tar keeps the files' modes (entry point scripts stay executable)
  execFileSync('bash', ['-c', `mkdir -p "${tree}" && tar --null -T - -cf - | tar -xf - -C "${tree}"`], { cwd: root, input: files.join('\0') });
  const registryFile = path.join(tree, 'ports.json');
  const registry = JSON.parse(readFileSync(registryFile, 'utf8'));
  registry.hosts[host] = { releases: [{ label, tag: release.tag, jsm1: release.service, db: release.db }] };
  writeFileSync(registryFile, `${JSON.stringify(registry, null, 2)}\n`);
  // A fixed author, committer and date: an unchanged tree gives the same commit,
  // so the images (tagged by commit) made by an earlier run are reused.
  const fixedDate = '2026-01-01T00:00:00Z';
  const env = { ...process.env, GIT_AUTHOR_DATE: fixedDate, GIT_COMMITTER_DATE: fixedDate };
  const git = (...args) => execFileSync('git', ['-c', 'user.name=jobmon-ops', '-c', 'user.email=jobmon-ops@localhost', ...args], { cwd: tree, stdio: 'ignore', env });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', `release ${version}`);
  git('tag', '-a', release.tag, '-m', `release ${version}`);
  execFileSync('git', ['clone', '-q', '--bare', tree, bare]);
  const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: tree }).toString().trim();
  return { work, tree, bare, registryFile, release, commit, cleanup: () => rmSync(work, { recursive: true, force: true }) };
}
