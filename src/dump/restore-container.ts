import { randomBytes } from 'node:crypto';
import { PassThrough, type Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type Docker from 'dockerode';
import { ProblemsFoundError } from '../errors.js';
import { quoteIdentifier } from '../server/db/migrations.js';
import { containerStopCommand, optionFileText, type DbLogin } from './argv.js';
import { clientErrorLine } from './format.js';
import { dumpSqlStages, PARTLY_LOADED } from './sql-source.js';

/**
 * restore through the DB container: root logs in only from the DB container
 * itself (docs/deploy.md), so the mariadb client runs there, through the
 * Engine API, and reaches the server at 127.0.0.1. As for an in-container
 * dump, the option file comes first on the exec's stdin (never on a command
 * line or in the exec's environment), lands 0600 in a private folder that
 * goes when the script ends; the SQL follows it on the same stdin.
 */
export const CONTAINER_LOAD_SCRIPT = [
  'set -u',
  'd=$1; n=$2; shift 2; p=',
  'umask 077',
  'mkdir "$d" || exit 125',
  "trap 'rm -rf \"$d\"' EXIT",
  // Stopped: the client ends before the script does, so once the exec ends nothing of it is left.
  "trap '[ -n \"$p\" ] && kill \"$p\" 2>/dev/null && wait \"$p\"; exit 130' INT TERM HUP",
  'head -c "$n" > "$d/client.cnf" || exit 125',
  'c=mariadb; command -v "$c" >/dev/null 2>&1 || c=mysql',
  // A command started with & reads /dev/null unless given a stdin: hand it the rest of ours.
  'exec 3<&0',
  '"$c" --defaults-file="$d/client.cnf" "$@" <&3 3<&- &',
  'p=$!; echo "$$" > "$d/pid"',
  'wait "$p"',
].join('\n');

export interface InContainer {
  docker: Docker;
  containerId: string;
  /** The login as the container sees the server: 127.0.0.1 and the internal port. */
  login: DbLogin;
}

interface ClientResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the client in the container with `args`, feeding the option file and
 * then the `sql` stages (if any) on stdin; a failure to read the SQL is `fed`.
 */
async function runClient(target: InContainer, args: string[], sql: NodeJS.ReadableStream[] = [], signal?: AbortSignal): Promise<ClientResult & { fed?: Error }> {
  const container = target.docker.getContainer(target.containerId);
  const workDir = `/tmp/jobmon-ops-restore-${randomBytes(8).toString('hex')}`;
  const options = Buffer.from(optionFileText(target.login), 'utf8');
  const exec = await container.exec({
    Cmd: ['sh', '-c', CONTAINER_LOAD_SCRIPT, 'jobmon-ops-restore', workDir, String(options.length), ...args],
    AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: false,
  });
  const stream = (await exec.start({ hijack: true, stdin: true })) as Duplex;
  const [out, err] = [new PassThrough(), new PassThrough()];
  let stdout = '';
  let stderr = '';
  out.on('data', (c: Buffer) => (stdout += c.toString()));
  err.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-65536)));
  target.docker.modem.demuxStream(stream, out, err);
  const ended = new Promise<void>((resolve) => stream.on('end', resolve).on('close', resolve).on('error', () => resolve()));
  // Stopped: the script kills the client, removes its option file and ends, which ends the exec's stream
  // (destroyed at once only when the engine cannot be asked to stop it).
  const stop = () => void runStop(container, workDir).catch(() => stream.destroy());
  signal?.addEventListener('abort', stop, { once: true });
  try {
    stream.write(options);
    const fed = sql.length ? pipeline([...sql, stream]).then(() => undefined, (e: Error) => e) : (stream.end(), undefined);
    await ended;
    const fedError = await fed;
    if (signal?.aborted) throw signal.reason;
    let info = await exec.inspect();
    // The engine records the exit code just after the stream ends.
    for (let i = 0; info.Running && i < 50; i++) info = await new Promise((r) => setTimeout(r, 100)).then(() => exec.inspect());
    return { exitCode: info.ExitCode ?? -1, stdout, stderr, ...(fedError ? { fed: fedError } : {}) };
  } finally {
    signal?.removeEventListener('abort', stop);
    stream.destroy();
  }
}

async function runStop(container: Docker.Container, workDir: string): Promise<void> {
  const exec = await container.exec({ Cmd: containerStopCommand(workDir), AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  await new Promise<void>((resolve) => stream.on('end', resolve).on('close', resolve).on('error', () => resolve()).resume());
}

/** True when `database` has Jobmon data (task_dag has a row); a missing database or table is not in use. */
export async function databaseInUseInContainer(target: InContainer, database: string, where: string): Promise<boolean> {
  const sql = `SELECT EXISTS(SELECT 1 FROM ${quoteIdentifier(database)}.task_dag) AS used`;
  const result = await runClient(target, ['--batch', '--skip-column-names', '-e', sql]);
  if (result.exitCode === 0) return result.stdout.trim() === '1';
  // ER_BAD_DB_ERROR, ER_NO_SUCH_TABLE
  if (/^ERROR (1049|1146) /m.test(result.stderr)) return false;
  throw new ProblemsFoundError(`cannot check database ${database} at ${where}: ${clientErrorLine(result.stderr, [target.login.password.reveal()])}; nothing was changed`);
}

export interface ContainerLoadInput {
  target: InContainer;
  file: string;
  gzip: boolean;
  database: string;
  signal: AbortSignal;
  onProgress?: (sqlBytes: number) => void;
}

/** Feeds a dump (gunzipped, its database renamed to `database`) to the client inside the DB container. */
export async function loadDumpInContainer(input: ContainerLoadInput): Promise<{ sqlBytes: number }> {
  const sql = dumpSqlStages(input);
  const result = await runClient(input.target, ['--default-character-set=utf8mb4'], sql.stages, input.signal);
  if (result.exitCode !== 0) {
    throw new ProblemsFoundError(`mariadb in the DB container failed (exit ${result.exitCode}): ${clientErrorLine(result.stderr, [input.target.login.password.reveal()])}; ${PARTLY_LOADED}`);
  }
  if (result.fed) throw new ProblemsFoundError(`reading the dump failed: ${result.fed.message}; ${PARTLY_LOADED}`);
  return { sqlBytes: sql.sqlBytes() };
}

/** The release's running DB container, with the login as seen inside it; undefined when none runs. */
export async function findLoadContainer(docker: Docker, project: string, login: DbLogin): Promise<(InContainer & { name: string }) | undefined> {
  const { findDbContainer } = await import('./container.js');
  const found = await findDbContainer(docker, project);
  return found?.state === 'running' ? { docker, containerId: found.id, name: found.name, login } : undefined;
}
