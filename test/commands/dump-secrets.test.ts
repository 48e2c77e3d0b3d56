import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { adminConnection } from '../helpers/mariadb.js';
import { createReadOnlyAccount, createTestDatabase, fillJobmon, growJobInstances, makeDumpWorld, V, type DumpWorld, type TestDatabase } from '../dump/fixture.js';

let world: DumpWorld;
let source: TestDatabase;
let ro: Awaited<ReturnType<typeof createReadOnlyAccount>>;
const ROWS = 400_000;

/** Every process's command line and environment, NUL-separated fields joined by spaces. */
async function sampleProcesses(): Promise<{ pid: string; cmdline: string; environ: string }[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  return Promise.all(
    pids.map(async (pid) => ({
      pid,
      cmdline: (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replace(/\0/g, ' '),
      environ: (await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '')).replace(/\0/g, ' '),
    })),
  );
}

beforeAll(async () => {
  world = await makeDumpWorld();
  source = await createTestDatabase('dump_big');
  await fillJobmon(source.name);
  const admin = await adminConnection();
  try {
    await growJobInstances(admin, source.name, ROWS);
  } finally {
    await admin.end();
  }
  ro = await createReadOnlyAccount(source.name);
  await world.record(V.source, source.name, { [ro.user]: ro.password });
}, 300_000);

afterAll(async () => {
  await ro?.drop();
  await source?.drop();
  await world?.cleanup();
});

describe('jobmon-ops dump keeps the password off every command line', () => {
  it(`sampling every process's command line and environment while ${ROWS} job instances are dumped never shows it`, { timeout: 300_000 }, async () => {
    let running = true;
    let samples = 0;
    const leaks: string[] = [];
    const clients: string[] = [];
    const optionFiles = new Map<string, { mode: number; dirMode: number }>();
    // The control: a planted argument on a short-lived process is seen, so a leak would be too.
    const control = `CONTROL-${Date.now()}`;
    let controlSeen = false;
    const sampler = (async () => {
      while (running) {
        for (const p of await sampleProcesses()) {
          if (p.cmdline.includes(ro.password) || p.environ.includes(ro.password)) leaks.push(`${p.pid}: ${p.cmdline}`);
          if (p.cmdline.includes(control)) controlSeen = true;
          const option = /^\S*mariadb-dump --defaults-file=(\S+) /.exec(p.cmdline);
          // This dump's client only: other test files run clients too.
          if (!option || !p.cmdline.includes(` ${source.name} `)) continue;
          clients.push(p.cmdline);
          const file = option[1]!;
          if (!optionFiles.has(file)) {
            const [f, d] = await Promise.all([stat(file), stat(path.dirname(file))]).catch(() => []);
            if (f && d) optionFiles.set(file, { mode: f.mode & 0o777, dirMode: d.mode & 0o777 });
          }
        }
        samples++;
      }
    })();
    let result;
    try {
      // The password comes from the deployment record.
      const planted = execa('sh', ['-c', 'sleep 0.5', control]);
      result = await runCli(['dump', `release-${V.source}`, '--user', ro.user, '--out', 'big.sql'], { cwd: world.cwd, env: world.env, timeoutMs: 240_000 });
      await planted;
    } finally {
      running = false;
      await sampler;
    }
    expect(controlSeen).toBe(true);
    expect(result.exitCode, result.stderr).toBe(0);
    expect((await stat(path.join(world.cwd, 'big.sql'))).size).toBeGreaterThan(40_000_000);
    expect(`${result.stdout}${result.stderr}`).not.toContain(ro.password);
    expect(leaks).toEqual([]);
    expect(samples).toBeGreaterThan(10);
    expect(clients.length).toBeGreaterThan(3);
    expect(clients[0]).toMatch(
      new RegExp(`mariadb-dump --defaults-file=\\S+ --single-transaction --quick --routines --triggers --no-tablespaces --hex-blob --default-character-set=utf8mb4 --databases ${source.name} $`),
    );
    expect([...optionFiles.values()]).toEqual([{ mode: 0o600, dirMode: 0o700 }]);
    for (const file of optionFiles.keys()) await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
