import { randomBytes } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type Docker from 'dockerode';
import { execa } from 'execa';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPOSE } from '../../src/deploy/names.js';
import { BIN, runCli } from '../helpers/cli.js';
import { execIn, freePort, TEST_LABELS, testDbImage, testEngine, waitHealthy } from '../helpers/docker.js';
import { fillJobmon, growJobInstances, makeDumpWorld, type DumpWorld } from '../dump/fixture.js';

/**
 * `dump --in-container` against a real DB container: the jobmon-mariadb
 * image that deploy builds, labelled as deploy labels it. Any jobmon-mariadb
 * image on the engine will do; on a fresh engine the test builds one from
 * this checkout (the bootstrapped base, about half a minute), as deploy would.
 */
const { docker } = testEngine();
let image: string | undefined;

const version = `0.97.${100 + Math.floor(Math.random() * 900)}`;
const project = `jobmon097${version.split('.')[2]}`;
const ROOT = `ROOT-SENTINEL-${randomBytes(4).toString('hex')}'"#\\`;
const RO = `RO-SENTINEL-${randomBytes(4).toString('hex')} $x`;
let world: DumpWorld;
let container: Docker.Container | undefined;
let port = 0;
const dumpDirs = async () => (await execIn(docker, container!, ['sh', '-c', 'ls -a /tmp'])).split(/\s+/).filter((n) => n.startsWith('jobmon-ops-dump-'));
const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { cwd: world.cwd, env: { ...world.env, ...env }, timeoutMs: 120_000 });
/** A dump without the lines that differ between two clients and runs (client version, server host as named, time). */
const comparable = (sql: string) => sql.replace(/^-- (Host: |MariaDB dump |Dump completed on ).*$/gm, '');

async function rootLogin(database?: string): Promise<mysql.Connection> {
  for (let i = 0; ; i++) {
    try {
      return await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', password: ROOT, ...(database ? { database } : {}) });
    } catch (error) {
      if (i > 120) throw error;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

describe('jobmon-ops dump --in-container (real DB container)', () => {
  beforeAll(async () => {
    image = await testDbImage(docker);
    port = await freePort();
    world = await makeDumpWorld({ port, source: version });
    container = await docker.createContainer({
      Image: image!,
      name: `${project}_db_1`,
      Labels: { ...TEST_LABELS, [COMPOSE.project]: project, [COMPOSE.service]: 'db', [COMPOSE.containerNumber]: '1', [COMPOSE.oneoff]: 'False' },
      Env: [`MARIADB_ROOT_PASSWORD=${ROOT}`],
      ExposedPorts: { '3306/tcp': {} },
      HostConfig: { PortBindings: { '3306/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] } },
    });
    await container.start();
    await waitHealthy(container, 120_000);
    // The image lets root in from the DB container only (docs/deploy.md); this test's own DB opens root's login
    // to its host, as an operator may, over the socket as the container's root user: no password on a command line.
    const open = "SET @s = IF(EXISTS(SELECT 1 FROM mysql.user WHERE User = 'root' AND Host = '%'), 'DO 0', 'RENAME USER ''root''@''127.0.0.1'' TO ''root''@''%''')";
    await execIn(docker, container, ['mariadb', '--protocol=socket', '--user=root', '-e', `${open}; PREPARE s FROM @s; EXECUTE s`]);
    const root = await rootLogin();
    try {
      await root.query("CREATE USER 'read_only'@'%' IDENTIFIED BY ?", [RO]);
      await root.query("GRANT SELECT ON `docker`.* TO 'read_only'@'%'");
    } finally {
      await root.end();
    }
    await fillJobmon('docker', 1000, () => rootLogin());
    const grow = await rootLogin();
    await growJobInstances(grow, 'docker', 200_000).finally(() => grow.end());
    await world.record(version, 'docker', { root: ROOT, read_only: RO });
  }, 300_000);

  afterAll(async () => {
    await container?.remove({ force: true, v: true }).catch(() => undefined);
    await world?.cleanup();
  });

  it('dumps inside the container as read_only: the same SQL as through the DB port, no secret on any command line, nothing left inside', { timeout: 240_000 }, async () => {
    let watching = true;
    const seen: string[] = [];
    const watcher = (async () => {
      while (watching) {
        const pids = (await readdir('/proc')).filter((p) => /^\d+$/.test(p));
        for (const pid of pids) {
          const line = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replace(/\0/g, ' ');
          if (line.includes('SENTINEL')) seen.push(line);
          if (/--defaults-file=\/tmp\/jobmon-ops-dump-[0-9a-f]{16}\/client\.cnf /.test(line)) seen.push('(the in-container client, control)');
        }
      }
    })();
    const inside = await cli(['dump', `release-${version}`, '--in-container', '--out', 'inside.sql']).finally(async () => {
      watching = false;
      await watcher;
    });
    expect(inside.exitCode, inside.stderr).toBe(0);
    expect(inside.stdout).toMatch(new RegExp(`^dumped release-${version} \\(database docker at ${project}_db_1 as read_only\\) to inside\\.sql: `));
    expect(seen).toContain('(the in-container client, control)');
    expect(seen.filter((l) => l.includes('SENTINEL'))).toEqual([]);
    const through = await cli(['dump', `release-${version}`, '--out', 'port.sql']);
    expect(through.exitCode, through.stderr).toBe(0);
    const a = await readFile(path.join(world.cwd, 'inside.sql'), 'utf8');
    const b = await readFile(path.join(world.cwd, 'port.sql'), 'utf8');
    expect(a.length).toBeGreaterThan(20_000_000);
    expect(comparable(a)).toBe(comparable(b));
    expect(await dumpDirs()).toEqual([]);
  });

  it("ignores the container's own ~/.my.cnf: a [client] user, password and port there change neither the account nor the server", { timeout: 120_000 }, async () => {
    const home = (await execIn(docker, container!, ['sh', '-c', 'printf %s "$HOME"'])).trim() || '/root';
    const myCnf = `${home}/.my.cnf`;
    const planted = '[client]\nuser=jt_decoy\npassword=DECOY-pw\nport=1\n[mariadb-dump]\nwhere=1=0\n';
    await execIn(docker, container!, ['sh', '-c', 'printf "%s" "$1" > "$2"', 'plant', planted, myCnf]);
    try {
      // Control: the planted file is where a client in the container looks.
      expect(await execIn(docker, container!, ['sh', '-c', 'mariadb-dump --print-defaults 2>&1 || mysqldump --print-defaults 2>&1'])).toContain('--user=jt_decoy');
      const result = await cli(['dump', `release-${version}`, '--in-container', '--out', 'mycnf.sql']);
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^dumped release-${version} \\(database docker at ${project}_db_1 as read_only\\) to mycnf\\.sql: `));
      const sql = await readFile(path.join(world.cwd, 'mycnf.sql'), 'utf8');
      expect(comparable(sql)).toBe(comparable(await readFile(path.join(world.cwd, 'port.sql'), 'utf8')));
    } finally {
      await execIn(docker, container!, ['rm', '-f', myCnf]);
    }
    expect(await dumpDirs()).toEqual([]);
  });

  it('falls back to the container when no client is installed here, and says so; --gzip works there too', async () => {
    const result = await cli(['dump', `release-${version}`, '--gzip', '--out', 'fallback.sql.gz'], { PATH: '/nonexistent' });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe(`no mariadb-dump or mysqldump on this machine: dumping inside ${project}_db_1 through the Docker engine`);
    expect((await stat(path.join(world.cwd, 'fallback.sql.gz'))).size).toBeGreaterThan(1_000_000);
  });

  it('a wrong password: one line, exit 1, no file here and no option file inside', async () => {
    const before = await world.files();
    const result = await cli(['dump', `release-${version}`, '--in-container', '--user', 'nobody', '--out', 'bad.sql'], { JOBMON_DB_PASSWORD: 'WRONG-SENTINEL' });
    expect(result.exitCode).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^error: mariadb-dump in ${project}_db_1 failed \\(exit 2\\): mariadb-dump: Got error: \\d+: "Access denied for user 'nobody'@'127\\.0\\.0\\.1'[^"]*" when trying to connect; no file was written$`)),
    ]);
    expect(result.stderr).not.toContain('SENTINEL');
    expect(await world.files()).toEqual(before);
    expect(await dumpDirs()).toEqual([]);
  });

  it('Ctrl-C stops the dump inside the container and removes its option file there, and the partial file here', { timeout: 120_000 }, async () => {
    const before = await world.files();
    const child = execa(process.execPath, [BIN, 'dump', `release-${version}`, '--in-container', '--out', 'stopped.sql'], { cwd: world.cwd, env: { NO_COLOR: '1', ...world.env }, reject: false, stdin: 'ignore' });
    for (let i = 0; i < 400 && (await dumpDirs()).length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(await dumpDirs()).toHaveLength(1);
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode, result.stderr).toBe(130);
    expect(await world.files()).toEqual(before);
    expect(await dumpDirs()).toEqual([]);
    expect(await execIn(docker, container!, ['sh', '-c', 'for f in /proc/[0-9]*/cmdline; do tr "\\0" " " < "$f"; echo; done'])).not.toContain('mariadb-dump');
  });
});

describe('jobmon-ops dump --in-container without a container', () => {
  it('a release with nothing deployed: one line naming the project and the engine, exit 2', async () => {
    const empty = await makeDumpWorld({ source: '0.96.1' });
    try {
      const result = await runCli(['dump', 'release-0.96.1', '--in-container'], { cwd: empty.cwd, env: empty.env });
      expect(result.exitCode).toBe(2);
      expect(result.stderr.trim()).toMatch(
        /^error: cannot dump release-0\.96\.1 inside its DB container: no container of compose project jobmon0961 on unix:\/\/\S+; deploy it, or install mariadb-client and dump through the DB port$/,
      );
    } finally {
      await empty.cleanup();
    }
  });
});
