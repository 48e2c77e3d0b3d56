import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { adminConnection, TEST_DB } from '../helpers/mariadb.js';
import { createReadOnlyAccount, createTestDatabase, fillJobmon, growJobInstances, makeDumpWorld, tableFingerprints, V, type DumpWorld, type TestDatabase } from '../dump/fixture.js';

/** A colour (SGR) escape sequence: `ESC [ <params> m`. */
const SGR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`);

let world: DumpWorld;
let source: TestDatabase;
let target: TestDatabase;
let ro: Awaited<ReturnType<typeof createReadOnlyAccount>>;

/** Runs the CLI on a pseudo-terminal, answering each prompt once as it appears; the whole screen and the exit code. */
async function onTerminal(argv: string[], answers: Record<string, string>, env: Record<string, string> = {}): Promise<{ code: number; screen: string; answered: string[] }> {
  const { spawn } = await import('@lydell/node-pty');
  const pty = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/jobmon-ops.js'), ...argv], {
    cols: 200, rows: 50, cwd: world.cwd, env: { ...process.env, ...world.env, CI: '', NO_COLOR: '', ...env } as Record<string, string>,
  });
  let screen = '';
  const answered: string[] = [];
  const exit = new Promise<number>((resolve) => pty.onExit(({ exitCode }) => resolve(exitCode)));
  pty.onData((data) => {
    screen += data;
    for (const [prompt, text] of Object.entries(answers)) {
      if (screen.includes(prompt) && !answered.includes(prompt)) {
        answered.push(prompt);
        pty.write(text);
      }
    }
  });
  return { code: await exit, screen, answered };
}

beforeAll(async () => {
  world = await makeDumpWorld();
  source = await createTestDatabase('dump_tty');
  await fillJobmon(source.name);
  const admin = await adminConnection();
  await growJobInstances(admin, source.name, 150_000).finally(() => admin.end());
  ro = await createReadOnlyAccount(source.name);
  target = await createTestDatabase('dump_tty_dst');
  // No password of ro in the record: the terminal is asked for it.
  await world.record(V.source, source.name, {});
  await world.record(V.other, target.name, { [TEST_DB.user]: TEST_DB.password });
}, 180_000);

afterAll(async () => {
  await ro?.drop();
  await source?.drop();
  await target?.drop();
  await world?.cleanup();
});

describe('dump and restore on a terminal', () => {
  it('asks for a missing password with hidden input, shows the bytes as they come, never the password', async () => {
    const prompt = `Password of ${ro.user} on 127.0.0.1:${TEST_DB.port} (hidden):`;
    const { code, screen, answered } = await onTerminal(['dump', `release-${V.source}`, '--user', ro.user], { [prompt]: `${ro.password}\r` });
    expect(answered).toEqual([prompt]);
    expect(code, screen).toBe(0);
    expect(screen).not.toContain(ro.password);
    expect(screen).not.toContain('RO-SENTINEL');
    expect(screen).toMatch(new RegExp(`dumping release-${V.source} \\(${source.name} at 127\\.0\\.0\\.1:${TEST_DB.port}\\) [\\d.]+ [kM]B`));
    expect(screen).toMatch(/dumped release-0\.98\.1 .* sha256 [0-9a-f]{64}/);
  }, 60_000);

  it('with NO_COLOR on a terminal: the progress still shows, and nothing on the screen is coloured', async () => {
    const { code, screen } = await onTerminal(['dump', `release-${V.source}`, '--user', ro.user, '--out', 'nocolor.sql'], {}, { NO_COLOR: '1', JOBMON_DB_PASSWORD: ro.password });
    expect(code, screen).toBe(0);
    expect(screen).toMatch(new RegExp(`dumping release-${V.source} \\(${source.name} at 127\\.0\\.0\\.1:${TEST_DB.port}\\) [\\d.]+ [kM]B`));
    expect(screen).toMatch(/dumped release-0\.98\.1 .* sha256 [0-9a-f]{64}/);
    expect(screen).not.toMatch(SGR);
    // Control: the same run with CI set shows no progress at all.
    const ci = await onTerminal(['dump', `release-${V.source}`, '--user', ro.user, '--out', 'ci.sql'], {}, { CI: '1', JOBMON_DB_PASSWORD: ro.password });
    expect(ci.code, ci.screen).toBe(0);
    expect(ci.screen).not.toContain(`dumping release-${V.source}`);
  }, 60_000);

  it('restore asks for confirmation: no keeps the database as it was (exit 1), yes loads the dump', async () => {
    const dump = `dbs_${TEST_DB.port}_dump.sql`;
    const question = `Load ${dump} (`;
    const declined = await onTerminal(['restore', `release-${V.other}`, dump, '--user', TEST_DB.user], { [question]: 'n\r' });
    expect(declined.answered).toEqual([question]);
    expect(declined.code, declined.screen).toBe(1);
    expect(declined.screen).toContain('error: not confirmed; nothing was changed');
    expect(Object.keys(await tableFingerprints(target.name))).toEqual([]);
    const accepted = await onTerminal(['restore', `release-${V.other}`, dump, '--user', TEST_DB.user], { [question]: 'y\r' });
    expect(accepted.code, accepted.screen).toBe(0);
    expect(await tableFingerprints(target.name)).toEqual(await tableFingerprints(source.name));
  }, 120_000);
});
