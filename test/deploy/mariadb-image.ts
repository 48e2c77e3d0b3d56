import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import type Docker from 'dockerode';
import mysql from 'mysql2/promise';
import { expect } from 'vitest';
import { containerLogs, execIn, freePort, TEST_LABELS, waitHealthy } from '../helpers/docker.js';

/** Every process's command line on this machine (containers' included: they share the host's /proc). */
async function allCommandLines(): Promise<string> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  const lines = await Promise.all(pids.map((pid) => readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')));
  return lines.join('\n');
}

/** Logs in as root through the published port, retrying while the server starts. */
async function rootLogin(port: number, password: string, timeoutMs = 60_000): Promise<mysql.Connection> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', password, database: 'docker' });
    } catch (error) {
      if ((error as { code?: string }).code === 'ER_ACCESS_DENIED_ERROR' || Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/**
 * Starts the DB image on an empty volume with a sentinel root password and
 * proves: healthy, root login through 127.0.0.1, the settings deploy relies
 * on, the password kept on a restart and by a new container with another
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

    let conn = await rootLogin(port, sentinel);
    const [settings] = await conn.query(
      'SELECT @@time_zone AS tz, @@innodb_flush_log_at_trx_commit AS flush, @@character_set_server AS cs, @@skip_name_resolve AS snr, DATABASE() AS db',
    );
    expect(settings).toEqual([{ tz: '+00:00', flush: 1, cs: 'utf8mb4', snr: 1, db: 'docker' }]);
    const [users] = await conn.query("SELECT CONCAT(User, '@', Host) AS account FROM mysql.user WHERE User IN ('', 'root') ORDER BY account");
    expect(users).toEqual([{ account: 'root@%' }, { account: 'root@localhost' }]);
    const [dbs] = await conn.query("SHOW DATABASES LIKE 'test'");
    expect(dbs).toEqual([]);
    await conn.query('CREATE TABLE kept (v INT)');
    await conn.query('INSERT INTO kept VALUES (42)');
    await conn.end();

    await db.restart({ t: 20 });
    await waitHealthy(db, 120_000);
    conn = await rootLogin(port, sentinel);
    expect((await conn.query('SELECT v FROM kept'))[0]).toEqual([{ v: 42 }]);
    await conn.end();

    // A new container (as a redeploy makes) with another password: the volume's password stands.
    await db.stop({ t: 20 });
    const next = await start(`other-${id}`);
    await waitHealthy(next, 120_000);
    conn = await rootLogin(port, sentinel);
    expect((await conn.query('SELECT v FROM kept'))[0]).toEqual([{ v: 42 }]);
    await conn.end();
    await expect(rootLogin(port, `other-${id}`)).rejects.toMatchObject({ code: 'ER_ACCESS_DENIED_ERROR' });

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
