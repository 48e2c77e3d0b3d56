import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type Docker from 'dockerode';
import { optionFileText } from '../../src/dump/argv.js';
import { Secret } from '../../src/server/secret.js';
import { containerLogs, execRun, TEST_LABELS } from '../helpers/docker.js';

export interface Run {
  exitCode: number;
  output: string;
}

/** A command's exit code and output inside the running container `name` (test/helpers/docker.ts execRun). */
export function execIn(docker: Docker, name: string, cmd: string[], user?: string): Promise<Run> {
  return execRun(docker, docker.getContainer(name), cmd, user);
}

export interface ClientAt {
  /** The MariaDB image whose client runs. */
  image: string;
  /** A private folder for the option file. */
  dir: string;
  host: string;
  port: number;
  /** Docker's NetworkMode of the client's container: `bridge`, or `container:<id>` to be that container's 127.0.0.1. */
  network: string;
}

/**
 * Runs `sql` with the mariadb client of `at.image` in a throwaway container,
 * logging in as `user`. The login goes in an option file (0600), mounted
 * read-only, never on the container's command line.
 */
export async function mariadbClient(docker: Docker, at: ClientAt, user: string, password: string, sql: string): Promise<Run> {
  const file = path.join(at.dir, `${user}-${Math.random().toString(36).slice(2)}.cnf`);
  await writeFile(file, optionFileText({ user, password: new Secret(password), host: at.host, port: at.port }), { mode: 0o600 });
  const created = await docker.createContainer({
    Image: at.image,
    Entrypoint: ['mariadb', '--defaults-file=/login.cnf', '--batch', '--skip-column-names', '-e', sql],
    Labels: { ...TEST_LABELS },
    HostConfig: { NetworkMode: at.network, Binds: [`${file}:/login.cnf:ro`], CapDrop: ['ALL'] },
  });
  try {
    await created.start();
    const { StatusCode } = (await created.wait()) as { StatusCode: number };
    const logs = await containerLogs(created);
    return { exitCode: StatusCode, output: `${logs.stdout}${logs.stderr}` };
  } finally {
    // v: the image declares a volume; the container's anonymous one goes with it.
    await created.remove({ force: true, v: true });
  }
}

/** `SELECT CURRENT_USER()` as `user` from the default bridge network: another network than the stack's, as another machine would be. */
export function loginFromAnotherNetwork(docker: Docker, at: Omit<ClientAt, 'network'>, user: string, password: string): Promise<Run> {
  return mariadbClient(docker, { ...at, network: 'bridge' }, user, password, 'SELECT CURRENT_USER()');
}
