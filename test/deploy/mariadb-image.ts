import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import mysql from 'mysql2/promise';
import { expect } from 'vitest';
import { containerLogs, execIn, freePort, TEST_LABELS, waitHealthy } from '../helpers/docker.js';
import { mariadbClient } from './hardening-helpers.js';

/** Every process's command line on this machine (containers' included: they share the host's /proc). */
async function allCommandLines(): Promise<string> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  const lines = await Promise.all(pids.map((pid) => readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')));
  return lines.join('\n');
}

/** Logs in as `user` through the published port (root must be refused there). */
function portLogin(port: number, user: string, password: string): Promise<mysql.Connection> {
  return mysql.createConnection({ host: '127.0.0.1', port, user, password, database: 'docker' });
}

/**
 * Starts the DB image on an empty volume with a sentinel root password and
 * proves: healthy, root logs in from the container's own network namespace
 * and is refused through the published port, the settings deploy relies on, the password kept on a restart and by a new container with another
 * password, and the sentinel on no command line, health check or log.
 */
export async function checkMariadbImage(docker: Docker, image: string): Promise<void> {
  const id = randomBytes(4).toString('hex');
  // A quote, a backslash and a $ test the entry point's quoting.
  const sentinel = `S3NT'IN\\EL$HOME-${id}`;
  const volume = `jobmon-ops-test-db-${id}`;
  const port = await freePort();
  await docker.createVolume({ Name: volume, Labels: { ...TEST_LABELS } });
  const created: Docker.Container[] = [];
  const start = async (password: string) => {
    const container = await docker.createContainer({
      Image: image,
      name: `jobmon-ops-test-db-${id}-${created.length + 1}`,
      Labels: { ...TEST_LABELS },
      Env: [`MARIADB_ROOT_PASSWORD=${password}`],
      ExposedPorts: { '3306/tcp': {} },
      HostConfig: { Binds: [`${volume}:/var/lib/mysql`], PortBindings: { '3306/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] } },
    });
    created.push(container);
    await container.start();
    return container;
  };
  try {
    // Watch every command line on the machine while the first start sets the password.
    let seen = false;
    let sawInitServer = false; // the control: the watch did cover the first start
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const lines = await allCommandLines();
        if (lines.includes(sentinel)) seen = true;
        if (lines.includes('--socket=/run/mysqld/init.sock')) sawInitServer = true;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const db = await start(sentinel);
    try {
      await waitHealthy(db, 120_000);
    } finally {
      watching = false;
      await watcher;
    }
    expect({ seen, sawInitServer }).toEqual({ seen: false, sawInitServer: true });

    // root logs in from the DB container's own network namespace only, as initdb and restore do.
    const dir = await mkdtemp(path.join(tmpdir(), 'jobmon-ops-image-'));
    const asRoot = async (container: Docker.Container, password: string, sql: string) =>
      mariadbClient(docker, { image, dir, host: '127.0.0.1', port: 3306, network: `container:${container.id}` }, 'root', password, sql);
    try {
      const settings = await asRoot(db, sentinel, 'USE docker; SELECT @@time_zone, @@innodb_flush_log_at_trx_commit, @@character_set_server, @@skip_name_resolve, DATABASE()');
      expect(settings).toEqual({ exitCode: 0, output: '+00:00\t1\tutf8mb4\t1\tdocker\n' });
      const users = await asRoot(db, sentinel, "SELECT CONCAT(User, '@', Host) FROM mysql.user WHERE User IN ('', 'root') ORDER BY 1");
      expect(users.output).toBe('root@127.0.0.1\nroot@localhost\n');
      // Refused: no account at all matches the host (the network's gateway, as the engine forwards the port).
      await expect(portLogin(port, 'root', sentinel)).rejects.toMatchObject({ code: 'ER_HOST_NOT_PRIVILEGED' });
      expect((await asRoot(db, sentinel, "SHOW DATABASES LIKE 'test'")).output).toBe('');
      expect((await asRoot(db, sentinel, 'CREATE TABLE docker.kept (v INT); INSERT INTO docker.kept VALUES (42)')).exitCode).toBe(0);

      await db.restart({ t: 20 });
      await waitHealthy(db, 120_000);
      expect((await asRoot(db, sentinel, 'SELECT v FROM docker.kept')).output).toBe('42\n');

      // A new container (as a redeploy makes) with another password: the volume's password stands.
      await db.stop({ t: 20 });
      const next = await start(`other-${id}`);
      await waitHealthy(next, 120_000);
      expect((await asRoot(next, sentinel, 'SELECT v FROM docker.kept')).output).toBe('42\n');
      expect((await asRoot(next, `other-${id}`, 'SELECT 1')).output).toMatch(/Access denied for user 'root'@'127\.0\.0\.1'/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const next = created.at(-1)!;

    // The server's own environment does not keep it either.
    expect(await execIn(docker, next, ['cat', '/proc/1/environ'])).not.toContain('MARIADB_ROOT_PASSWORD');
    for (const container of created) {
      const info = await container.inspect();
      const visible = JSON.stringify([info.Path, info.Args, info.Config.Cmd, info.Config.Entrypoint, (info.Config as { Healthcheck?: unknown }).Healthcheck]);
      expect(visible).not.toContain(sentinel);
      const logs = await containerLogs(container);
      expect(`${logs.stdout}${logs.stderr}`).not.toContain(sentinel);
    }
    const firstLogs = await containerLogs(created[0]!);
    expect(firstLogs.stderr).toContain('jobmon-mariadb: initialised: root password set, database docker created');
    expect((await containerLogs(next)).stderr).not.toContain('initialising');
  } finally {
    for (const container of created) await container.remove({ force: true }).catch(() => undefined);
    await docker.getVolume(volume).remove().catch(() => undefined);
  }
}
