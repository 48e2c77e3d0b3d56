/**
 * The environment of every process the CLI starts (git, npm and the tag's own
 * build script, the MariaDB clients, debootstrap, tar, umount). An allowlist,
 * not a denylist: this process may hold the Slack token, DB passwords
 * (`JOBMON_PASS_*`, `JOBMON_DB_PASSWORD`, `MYSQL_PWD`) and whatever else the
 * operator's shell exports, and a child, above all a tag's build script,
 * which is code from the repository, gets none of it. A new secret variable
 * needs no change here; a variable a child truly needs must be added below.
 */
const KEEP = new Set([
  // Finding the programs: git, npm and node, the MariaDB clients, debootstrap and the tools it runs.
  'PATH',
  // git's ~/.gitconfig, ssh's keys and known_hosts, npm's ~/.npmrc and cache (the clients get their login from our option file only).
  'HOME',
  // Messages, sorting and times as the operator reads them (with LC_*, below).
  'LANG',
  'LANGUAGE',
  'TZ',
  // Where the tools make their temporary files.
  'TMPDIR',
  // Who runs them: ssh's default login name, and tools that refuse to run without one.
  'USER',
  'LOGNAME',
  // How output that is shown to the operator (a failed build's last lines) is coloured.
  'TERM',
  'NO_COLOR',
  'FORCE_COLOR',
  // git over ssh with a key that stays in the operator's agent, and the site's own ssh command.
  'SSH_AUTH_SOCK',
  'GIT_SSH_COMMAND',
  'GIT_SSH',
  // A site behind a proxy: npm ci, git over https and debootstrap's downloads go through it (both spellings are in use).
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  // A site whose proxy or registry has its own certificate authority (a file name, no secret).
  'NODE_EXTRA_CA_CERTS',
]);

/** Locale categories, and npm's own settings (registry, cache, proxy, its auth for a private registry), which npm reads from the environment. */
const KEEP_PREFIXES = ['LC_', 'npm_config_', 'NPM_CONFIG_'];

/** The allowed variables of `env`, then `extra` (the caller's own settings for that child). */
export function childEnv(env: NodeJS.ProcessEnv = process.env, extra: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && (KEEP.has(name) || KEEP_PREFIXES.some((prefix) => name.startsWith(prefix)))) out[name] = value;
  }
  return { ...out, ...extra };
}
