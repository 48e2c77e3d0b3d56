import { existsSync } from 'node:fs';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ProblemsFoundError, UsageError } from '../errors.js';
import { versionOf } from '../registry/release.js';
import { runGit } from '../util/git.js';

/** A release tag found in the repository: its name, the commit it points at, and its version. */
export interface RemoteTag {
  tag: string;
  commit: string;
  version: string;
}

/**
 * A repository that starts with `-` would reach git as an option
 * (`--upload-pack=<command>` runs a command), so it is refused before any git
 * runs; every call below also puts `--` before its positional arguments.
 */
export function assertRepoNotOption(repo: string, from = '--repo'): void {
  if (repo.startsWith('-')) {
    throw new UsageError(`${from} is ${JSON.stringify(repo)}, which starts with "-" and so would reach git as an option; give the repository's URL or path (./${repo} for a folder of that name)`);
  }
}

/** A local path becomes a file:// URL, so git honours --depth for it too. */
export function repoUrl(repo: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(repo) || /^[^/]+@[^/]+:/.test(repo)) return repo;
  return existsSync(repo) ? `file://${path.resolve(repo)}` : repo;
}

/** Tag names to look for: `release-X.Y.Z` for a bare version first, then the name as given. */
export function tagCandidates(ref: string): string[] {
  return /^\d+\.\d+\.\d+/.test(ref) && versionOf(ref) ? [`release-${ref}`, ref] : [ref];
}

/** Each git call below may take this long in all; a remote that hangs fails with a line saying so. */
export const GIT_LIMIT_SECONDS = 120;

/**
 * No credential or host-key prompt may hang a deploy; the site's own ssh
 * command (GIT_SSH_COMMAND, GIT_SSH) is kept. Everything else is
 * runGit's allowlisted environment.
 */
function git(args: string[], options: { cwd?: string; signal?: AbortSignal | undefined } = {}) {
  const ssh: Record<string, string> = process.env.GIT_SSH_COMMAND || process.env.GIT_SSH ? {} : { GIT_SSH_COMMAND: 'ssh -o BatchMode=yes' };
  return runGit(args, { ...options, limitSeconds: GIT_LIMIT_SECONDS, env: { GIT_TERMINAL_PROMPT: '0', ...ssh } });
}

/**
 * Finds the release's tag in the repository (`git ls-remote`, nothing fetched):
 * the first candidate name that exists, with the commit it points at. Unknown
 * and non-semver tags are UsageErrors naming the fix.
 */
export async function findReleaseTag(repo: string, candidates: string[], signal?: AbortSignal): Promise<RemoteTag> {
  assertRepoNotOption(repo);
  // An annotated tag's commit is listed as `<ref>^{}`, which a pattern must name too.
  const refs = candidates.flatMap((c) => [`refs/tags/${c}`, `refs/tags/${c}^{}`]);
  // simple-git costs nothing measurable here: 37.7 ms median against 40.3 ms through execa (bench/results/git.md).
  const listed = await git(['ls-remote', '--tags', '--', repoUrl(repo), ...refs], { signal });
  if (!listed.ok) throw new UsageError(`cannot read the repository ${repo} (${listed.error}); check --repo or "repository" in the configuration`);
  const commits = new Map<string, string>();
  for (const line of listed.stdout.split('\n')) {
    const [sha, ref] = line.split('\t');
    if (!sha || !ref) continue;
    // The peeled line (the commit of an annotated tag) wins.
    const name = ref.replace(/^refs\/tags\//, '').replace(/\^\{\}$/, '');
    if (ref.endsWith('^{}') || !commits.has(name)) commits.set(name, sha);
  }
  const tag = candidates.find((c) => commits.has(c));
  if (!tag) {
    throw new UsageError(`no tag ${candidates.join(' or ')} in ${repo}; check the name (git ls-remote --tags ${repo}), or tag and push the release first`);
  }
  const version = versionOf(tag);
  if (!version) throw new UsageError(`tag ${tag} in ${repo} is not a semver release; deploy takes tags such as release-0.8.7 (or 0.8.7)`);
  return { tag, commit: commits.get(tag)!, version };
}

/** Fetches just the tag (depth 1) into a temporary repository and returns a file of it; the folder is removed. */
export async function readFileAtTag(repo: string, tag: RemoteTag, file: string, signal?: AbortSignal): Promise<string | undefined> {
  assertRepoNotOption(repo);
  const dir = await mkdtemp(path.join(tmpdir(), 'jobmon-ops-preflight-'));
  try {
    const init = await git(['init', '-q', '--bare', '--', dir]);
    if (!init.ok) throw new UsageError(`cannot make a temporary git repository in ${dir} (${init.error})`);
    const fetched = await git(['fetch', '-q', '--depth', '1', '--no-tags', '--', repoUrl(repo), `+refs/tags/${tag.tag}:refs/tags/${tag.tag}`], { cwd: dir, signal });
    if (!fetched.ok) throw new UsageError(`cannot fetch tag ${tag.tag} from ${repo} (${fetched.error}); check the repository and your access to it`);
    const commit = await git(['rev-parse', '--verify', '--end-of-options', `refs/tags/${tag.tag}^{commit}`], { cwd: dir });
    if (!commit.ok || commit.stdout.trim() !== tag.commit) {
      throw new UsageError(`tag ${tag.tag} moved while deploy read it (${tag.commit.slice(0, 12)} -> ${commit.stdout.trim().slice(0, 12)}); run deploy again`);
    }
    const shown = await git(['show', '--end-of-options', `${tag.commit}:${file}`], { cwd: dir });
    return shown.ok ? shown.stdout : undefined;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * What `git status` says differs from the checkout's commit: changed or
 * deleted tracked files and untracked ones, one per line. Ignored files (a
 * build's node_modules/ and dist/) are not listed.
 */
export async function checkoutChanges(dir: string): Promise<string[]> {
  const status = await git(['status', '--porcelain', '--untracked-files=all'], { cwd: dir });
  if (!status.ok) throw new ProblemsFoundError(`${dir} is not a git checkout (${status.error}); remove it and deploy again`);
  return status.stdout.split('\n').filter((line) => line.trim() !== '');
}

/**
 * The deployment folder's checkout of the tag: reused when it is at the
 * commit and unchanged, else cloned shallow to a temporary name and renamed
 * into place. Its HEAD must be the commit preflight saw.
 */
export async function ensureCheckout(repo: string, tag: RemoteTag, dir: string, signal?: AbortSignal): Promise<{ reused: boolean }> {
  assertRepoNotOption(repo);
  if (existsSync(dir)) {
    const head = await git(['rev-parse', 'HEAD'], { cwd: dir });
    // A changed file would go into the images as if it were the commit's.
    if (head.ok && head.stdout.trim() === tag.commit && (await checkoutChanges(dir)).length === 0) return { reused: true };
    await rm(dir, { recursive: true, force: true });
  }
  const temp = `${dir}.partial-${process.pid}`;
  await rm(temp, { recursive: true, force: true });
  try {
    const cloned = await git(['clone', '-q', '--depth', '1', '--no-tags', `--branch=${tag.tag}`, '--', repoUrl(repo), temp], { signal });
    if (!cloned.ok) throw new UsageError(`cannot clone ${tag.tag} from ${repo} (${cloned.error}); check the repository and your access to it`);
    const head = await git(['rev-parse', 'HEAD'], { cwd: temp });
    if (head.stdout.trim() !== tag.commit) {
      throw new UsageError(`the clone of ${tag.tag} is at ${head.stdout.trim().slice(0, 12)}, not ${tag.commit.slice(0, 12)}: the tag moved; run deploy again`);
    }
    await rename(temp, dir);
    return { reused: false };
  } finally {
    // A failed or interrupted clone leaves no half-made folder behind.
    await rm(temp, { recursive: true, force: true });
  }
}
