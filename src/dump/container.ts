import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import { COMPOSE, resourceNames } from '../deploy/names.js';
import { containerDumpCommand, containerStopCommand, optionFileText, type DbLogin } from './argv.js';
import { DemuxStdout } from './demux.js';
import type { ClientRun } from './dump.js';
import type { DumpSink } from './sink.js';

/** The running DB container of a compose project (`<project>_db_1`, found by compose labels), if any. */
export async function findDbContainer(docker: Docker, project: string): Promise<{ id: string; name: string; state: string } | undefined> {
  const list = await docker.listContainers({ all: true, filters: { label: [`${COMPOSE.project}=${project}`, `${COMPOSE.service}=db`] } });
  const wanted = resourceNames(project).containers.db;
  const pick = list.find((c) => c.State === 'running') ?? list[0];
  if (!pick) return undefined;
  return { id: pick.Id, name: (pick.Names.find((n) => n === `/${wanted}`) ?? pick.Names[0] ?? pick.Id).replace(/^\//, ''), state: pick.State };
}

/** Runs a short command in a container to its end, output discarded. */
async function runExec(container: Docker.Container, cmd: string[]): Promise<void> {
  const exec = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  await new Promise<void>((resolve) => {
    stream.on('end', resolve).on('close', resolve).on('error', () => resolve());
    stream.resume();
  });
}

/** The exit code of a finished exec (the engine may need a moment to record it). */
async function exitCodeOf(exec: Docker.Exec): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const info = await exec.inspect();
    if (!info.Running) return info.ExitCode ?? -1;
    await new Promise((r) => setTimeout(r, 100));
  }
  return -1;
}

export interface ContainerDumpInput {
  docker: Docker;
  containerId: string;
  /** The login as seen from inside the container (127.0.0.1, the internal port). */
  login: DbLogin;
  database: string;
  sink: DumpSink;
  signal: AbortSignal;
}

/**
 * mariadb-dump inside the DB container, through the Engine API. The option
 * file goes in on the exec's stdin (never on a command line or in the exec's
 * environment), the script keeps it 0600 in a private folder and removes it
 * when it ends; stdout is demultiplexed and streamed into the sink.
 */
export async function dumpInContainer(input: ContainerDumpInput): Promise<ClientRun> {
  const container = input.docker.getContainer(input.containerId);
  const workDir = `/tmp/jobmon-ops-dump-${randomBytes(8).toString('hex')}`;
  const options = Buffer.from(optionFileText(input.login), 'utf8');
  const exec = await container.exec({
    Cmd: containerDumpCommand(workDir, options.length, input.database),
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
  });
  const stream = (await exec.start({ hijack: true, stdin: true })) as Duplex;
  const demux = new DemuxStdout();
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= runExec(container, containerStopCommand(workDir))
      .catch(() => undefined)
      .finally(() => stream.destroy());
    return stopping;
  };
  input.signal.addEventListener('abort', stop, { once: true });
  try {
    // `pipe` passes on the end, not a failure or an early close (Ctrl-C destroys the stream).
    const cut = (error?: Error) => {
      if (!demux.writableEnded) demux.destroy(error ?? new Error('the engine closed the exec stream early'));
    };
    stream.on('error', cut).on('close', () => cut());
    stream.write(options);
    const [written] = await Promise.allSettled([input.sink.write(stream.pipe(demux))]);
    // A failed write (a full disk) leaves the dump running: stop it, so its option file goes too.
    if (written.status === 'rejected' || input.signal.aborted) {
      await stop();
      return { written, exitCode: -1, stderr: demux.stderr };
    }
    return { written, exitCode: await exitCodeOf(exec), stderr: demux.stderr };
  } finally {
    input.signal.removeEventListener('abort', stop);
    stream.destroy();
  }
}
