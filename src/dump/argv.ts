import type { Secret } from '../server/secret.js';

/**
 * Pure builders for the MariaDB clients: option files and argv, nothing run.
 * Secrets appear only in the option file's text, never in an argv.
 */

/** Where and as whom a client logs in. */
export interface DbLogin {
  user: string;
  password: Secret;
  host: string;
  port: number;
}

/** Dump clients, preferred first; `mysqldump` is the older name of the same program. */
export const DUMP_CLIENTS = ['mariadb-dump', 'mysqldump'] as const;
/** Load clients, preferred first. */
export const LOAD_CLIENTS = ['mariadb', 'mysql'] as const;

/**
 * A consistent, complete dump of one database (issue 7). No `--events`
 * (decisions.md 28): read_only lacks EVENT and Jobmon has none.
 */
export const DUMP_FLAGS = [
  '--single-transaction',
  '--quick',
  '--routines',
  '--triggers',
  '--no-tablespaces',
  '--hex-blob',
  '--default-character-set=utf8mb4',
] as const;

/** The last line a complete dump ends with (`-- Dump completed on <date>`). */
export const DUMP_COMPLETED = '-- Dump completed';

/**
 * An option-file value, double-quoted: the parser strips the quotes and
 * undoes these escapes, and inside quotes `#` and `;` start no comment.
 */
export function optionValue(value: string): string {
  const escaped = value.replace(/[\\"\n\r\t]/g, (c) => ({ '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c]!);
  return `"${escaped}"`;
}

/** The `[client]` option file a client reads its login from (written 0600, removed after the run). */
export function optionFileText(login: DbLogin): string {
  return [
    '[client]',
    `user=${optionValue(login.user)}`,
    `password=${optionValue(login.password.reveal())}`,
    `host=${optionValue(login.host)}`,
    `port=${login.port}`,
    // A host of `localhost` would otherwise mean the local socket.
    'protocol=TCP',
    '',
  ].join('\n');
}

/**
 * The option that points a client at its option file; it must come first on
 * the command line. `--defaults-file` makes the client read that file only:
 * with `--defaults-extra-file` it would also read /etc/my.cnf, /etc/mysql
 * and the operator's `~/.my.cnf` (the last one after ours), whose `[client]`
 * user, password, host or port would then win over the record's login.
 */
export function defaultsFile(file: string): string {
  return `--defaults-file=${file}`;
}

/** mariadb-dump's options after the option file, for `database`. */
export function dumpFlags(database: string): string[] {
  return [...DUMP_FLAGS, '--databases', database];
}

/** The whole argv of a local dump. */
export function dumpArgs(optionFile: string, database: string): string[] {
  return [defaultsFile(optionFile), ...dumpFlags(database)];
}

/** The whole argv of a local load: SQL comes on stdin. */
export function loadArgs(optionFile: string): string[] {
  return [defaultsFile(optionFile), '--default-character-set=utf8mb4'];
}

/** `dbs_<port>_dump.sql`, as the old hand-made dumps were named; `.sql.gz` when compressed. */
export function defaultDumpName(port: number, gzip: boolean): string {
  return `dbs_${port}_dump.sql${gzip ? '.gz' : ''}`;
}

/**
 * The shell script a container runs for a dump. Its arguments: a private
 * work folder, the option file's size in bytes, then the dump flags. The
 * option file arrives on stdin (exactly that many bytes), lands 0600 in the
 * 0700 folder, and the folder goes when the script ends, however it ends:
 * a TERM (sent by `containerStopCommand`) stops the dump first. The client
 * reads that file only (`--defaults-file`), not the container's option files.
 */
export const CONTAINER_DUMP_SCRIPT = [
  'set -u',
  'd=$1; n=$2; shift 2; p=',
  'umask 077',
  'mkdir "$d" || exit 125',
  "trap 'rm -rf \"$d\"' EXIT",
  "trap '[ -n \"$p\" ] && kill \"$p\" 2>/dev/null; exit 130' INT TERM HUP",
  'head -c "$n" > "$d/client.cnf" || exit 125',
  'c=mariadb-dump; command -v "$c" >/dev/null 2>&1 || c=mysqldump',
  '"$c" --defaults-file="$d/client.cnf" "$@" &',
  'p=$!; echo "$$" > "$d/pid"',
  'wait "$p"',
].join('\n');

/** The exec command of an in-container dump (no secret: the login comes on stdin). */
export function containerDumpCommand(workDir: string, optionFileBytes: number, database: string): string[] {
  return ['sh', '-c', CONTAINER_DUMP_SCRIPT, 'jobmon-ops-dump', workDir, String(optionFileBytes), ...dumpFlags(database)];
}

/** The exec command that stops a running in-container dump (its script then removes the work folder). */
export function containerStopCommand(workDir: string): string[] {
  return ['sh', '-c', 'kill -TERM "$(cat "$1/pid" 2>/dev/null)" 2>/dev/null; exit 0', 'jobmon-ops-dump-stop', workDir];
}
