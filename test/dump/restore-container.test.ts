import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseInUseInContainer, loadDumpInContainer, type InContainer } from '../../src/dump/restore-container.js';
import { Secret } from '../../src/server/secret.js';
import { execIn, TEST_LABELS, testDbImage, testEngine, waitHealthy } from '../helpers/docker.js';

/**
 * restore's load inside a real DB container (the jobmon-mariadb image), as
 * root at 127.0.0.1 there: the only place root logs in from. No port is
 * published: nothing outside the container could log in anyway.
 */
const { docker } = testEngine();
const ROOT = `ROOT-SENTINEL-${randomBytes(4).toString('hex')}'"#\\`;
let container: Docker.Container;
let target: InContainer;
let dir: string;

const dump = (body: string) => `-- MariaDB dump 10.19  Distrib 10.11.6-MariaDB\nCREATE DATABASE /*!32312 IF NOT EXISTS*/ \`src\`;\nUSE \`src\`;\n${body}-- Dump completed on 2026-12-03 18:00:00\n`;
const leftovers = async () => (await execIn(docker, container, ['sh', '-c', 'ls -a /tmp; ps -eo comm'])).split(/\s+/).filter((n) => n.startsWith('jobmon-ops-restore-') || n === 'mariadb');
const query = async (sql: string) => (await execIn(docker, container, ['mariadb', '--protocol=socket', '--user=root', '--batch', '--skip-column-names', '-e', sql])).trim();

/** Every process's command line on this machine (the container's included: it shares the host's /proc). */
async function allCommandLines(): Promise<string> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  return (await Promise.all(pids.map((pid) => readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')))).join('\n');
}

beforeAll(async () => {
  const image = await testDbImage(docker);
  container = await docker.createContainer({ Image: image, Labels: { ...TEST_LABELS }, Env: [`MARIADB_ROOT_PASSWORD=${ROOT}`], HostConfig: { NetworkMode: 'none' } });
  await container.start();
  await waitHealthy(container, 120_000);
  target = { docker, containerId: container.id, login: { user: 'root', password: new Secret(ROOT), host: '127.0.0.1', port: 3306 } };
  dir = await mkdtemp(path.join(tmpdir(), 'jobmon-ops-restore-container-'));
}, 300_000);

afterAll(async () => {
  await container?.remove({ force: true, v: true }).catch(() => undefined);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('restore inside the DB container', () => {
  it('tells a missing database or table from one in use', async () => {
    expect(await databaseInUseInContainer(target, 'nothing_here', 'x')).toBe(false);
    await query('CREATE DATABASE used; CREATE TABLE used.task_dag (id INT); INSERT INTO used.task_dag VALUES (1)');
    expect(await databaseInUseInContainer(target, 'used', 'x')).toBe(true);
  });

  it('loads a dump into the named database as root, the password on no command line, nothing left inside', async () => {
    const file = path.join(dir, 'small.sql');
    await writeFile(file, dump('DROP TABLE IF EXISTS `t`;\nCREATE TABLE `t` (v INT);\nINSERT INTO `t` VALUES (1),(2),(3);\n'));
    let seen = false;
    let watching = true;
    const watcher = (async () => {
      while (watching) seen ||= (await allCommandLines()).includes(ROOT);
    })();
    const result = await loadDumpInContainer({ target, file, gzip: false, database: 'docker', signal: new AbortController().signal }).finally(async () => {
      watching = false;
      await watcher;
    });
    expect(result.sqlBytes).toBeGreaterThan(100);
    expect(seen).toBe(false);
    expect(await query('SELECT SUM(v) FROM docker.t')).toBe('6');
    expect(await leftovers()).toEqual([]);
  });

  it('a failed load: the client\'s error line without the password', async () => {
    const file = path.join(dir, 'bad.sql');
    await writeFile(file, dump('THIS IS NOT SQL;\n'));
    const failed = loadDumpInContainer({ target, file, gzip: false, database: 'docker', signal: new AbortController().signal });
    await expect(failed).rejects.toThrow(/^mariadb in the DB container failed \(exit 1\): ERROR 1064 \(42000\) at line \d+: You have an error in your SQL syntax.*; the database may be partly loaded/);
    expect(await leftovers()).toEqual([]);
  });

  it('stopped partway: the client inside ends and its option file goes', async () => {
    const file = path.join(dir, 'big.sql');
    const row = `('${'x'.repeat(180)}')`;
    const insert = `INSERT INTO \`big\` VALUES ${Array.from({ length: 500 }, () => row).join(',')};\n`;
    await writeFile(file, dump(`DROP TABLE IF EXISTS \`big\`;\nCREATE TABLE \`big\` (v VARCHAR(200));\n${insert.repeat(1000)}`));
    const controller = new AbortController();
    const load = loadDumpInContainer({ target, file, gzip: false, database: 'docker', signal: controller.signal, onProgress: (n) => n > 20_000_000 && controller.abort(new Error('stopped')) });
    await expect(load).rejects.toThrow('stopped');
    expect(await leftovers()).toEqual([]);
    expect(Number(await query('SELECT COUNT(*) FROM docker.big'))).toBeLessThan(500_000);
  }, 120_000);
});
