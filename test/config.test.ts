import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, parseSize } from '../src/config.js';
import { UsageError } from '../src/errors.js';
import { makeTempDir, runCli } from './helpers/cli.js';

const MIB = 1024 * 1024;
let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('jobmon-ops-config-'));
});
afterAll(async () => cleanup?.());

/** Writes `data` as the configuration and loads it. */
async function load(data: unknown) {
  const file = path.join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, JSON.stringify(data));
  return { file, result: () => loadConfig({ JOBMON_OPS_CONFIG: file }) };
}

describe('limits in the configuration', () => {
  it('parses Docker sizes to bytes and keeps what is not set absent', async () => {
    const { result } = await load({ limits: { db: { memory: '3g', pids: 2048 }, monitor: { memory: '256m' }, jobmon: { pids: 64 } } });
    expect((await result()).limits).toEqual({ db: { memory: 3072 * MIB, pids: 2048 }, monitor: { memory: 256 * MIB }, jobmon: { pids: 64 } });
    expect([parseSize('512k'), parseSize('6M'), parseSize('100b'), parseSize('1.5g'), parseSize('2 g'), parseSize('0m')]).toEqual([524288, 6 * MIB, 100, undefined, undefined, undefined]);
  });

  it.each([
    [{ limits: { db: { memory: '2gb' } } }, 'limits.db.memory: must be a size such as "512m" or "2g" (a whole number, then b, k, m or g)'],
    [{ limits: { db: { memory: 2048 } } }, 'limits.db.memory: must be a size such as "512m" or "2g"'],
    [{ limits: { jobmon: { memory: '5m' } } }, "limits.jobmon.memory: must be at least 6m (Docker refuses less)"],
    [{ limits: { monitor: { pids: 8 } } }, 'limits.monitor.pids: must be at least 16 (each server runs a dozen threads)'],
    [{ limits: { monitor: { pids: 100.5 } } }, 'limits.monitor.pids: must be a whole number'],
    [{ limits: { monitor: { cpus: 2 } } }, 'limits.monitor.cpus: is not a field of a limit entry ({ "memory": "1g", "pids": 256 })'],
    [{ limits: { web: {} } }, 'limits.web: is not a field of the limits of the services db, jobmon, monitor and initdb'],
  ])('refuses %j in one line that names the path', async (data, message) => {
    const { file, result } = await load(data);
    const error = await result().then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(`the configuration ${file}: ${message}; fix it or set JOBMON_OPS_CONFIG`);
  });

  it('deploy --dry-run shows the configured limits, and a bad one exits 2 with one line', async () => {
    const good = (await load({ limits: { jobmon: { memory: '768m', pids: 300 } } })).file;
    const shown = await runCli(['deploy', 'release-0.8.7', '--dry-run', '--bind', '127.0.0.1'], { env: { JOBMON_OPS_CONFIG: good } });
    expect(shown.exitCode, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('      limits   memory 768m (no swap), pids 300');
    expect(shown.stdout).toContain('      limits   memory 2g (no swap), pids 1024');
    const bad = (await load({ limits: { db: { memory: 'lots' } } })).file;
    const refused = await runCli(['deploy', 'release-0.8.7', '--dry-run'], { env: { JOBMON_OPS_CONFIG: bad } });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr.trim().split('\n')).toEqual([
      `error: the configuration ${bad}: limits.db.memory: must be a size such as "512m" or "2g" (a whole number, then b, k, m or g); fix it or set JOBMON_OPS_CONFIG`,
    ]);
  });
});
