import { writeFileSync } from 'node:fs';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, makeTempDir, runCli } from '../helpers/cli.js';
import { makeDumpWorld, V, type DumpWorld } from '../dump/fixture.js';

/**
 * A stand-in mariadb-dump first on PATH: it records its argv, its option
 * file and its environment, then prints a partial dump, a complete one, or
 * hangs, as the file `mode` beside it says (the client gets no variable of
 * ours to read it from). These prove the rules that a real client rarely
 * lets a test reach.
 */
const FAKE = `#!/bin/sh
log=$(dirname "$0")/log
env > "$log.env"
printf '%s\\n' "$@" > "$log.argv"
f=\${1#--defaults-file=}
echo "$f" > "$log.path"
stat -c %a "$f" > "$log.mode"
cat "$f" > "$log.cnf"
case "$(cat "$(dirname "$0")/mode")" in
  partial) printf -- '-- MariaDB dump 10.19\\nCREATE TABLE t (a int);\\nINSERT INTO t VALUES\\n(1),' ;;
  complete) printf -- '-- MariaDB dump 10.19\\nSELECT 1;\\n-- Dump completed on 2024-01-01  0:00:00\\n' ;;
  hang) printf -- '-- MariaDB dump 10.19\\n'; touch "$log.started"; exec sleep 30 ;;
esac
`;

let world: DumpWorld;
let bin: { dir: string; cleanup: () => Promise<void> };
const PASSWORD = `FAKE-SENTINEL "q" \\ #x`;
/** Secrets a shell may hold: none may reach the client. */
const PLANTED = { JOBMON_SLACK_TOKEN: 'ENV-SENTINEL-slack', JOBMON_PASS_ROOT: 'ENV-SENTINEL-root', DB_PASS: 'ENV-SENTINEL-db', MYSQL_PWD: 'ENV-SENTINEL-pwd', MYSQL_HOST: 'elsewhere.invalid' };
const env = (mode: string) => {
  writeFileSync(path.join(bin.dir, 'mode'), mode);
  return { ...world.env, ...PLANTED, PATH: `${bin.dir}:${process.env.PATH}` };
};
const log = (what: string) => readFile(path.join(bin.dir, `log.${what}`), 'utf8');

beforeAll(async () => {
  world = await makeDumpWorld();
  bin = await makeTempDir('jobmon-ops-fake-');
  await writeFile(path.join(bin.dir, 'mariadb-dump'), FAKE);
  await chmod(path.join(bin.dir, 'mariadb-dump'), 0o755);
  await world.record(V.source, 'jobmon_db', { read_only: PASSWORD });
});

afterAll(async () => {
  await bin?.cleanup();
  await world?.cleanup();
});

describe('jobmon-ops dump with a stand-in client', () => {
  it('passes the option file first (0600, the login quoted), then the fixed flags; the file is gone afterwards', async () => {
    const result = await runCli(['dump', `release-${V.source}`], { cwd: world.cwd, env: env('complete') });
    expect(result.exitCode, result.stderr).toBe(0);
    const argv = (await log('argv')).trimEnd().split('\n');
    const optionFile = (await log('path')).trim();
    expect(argv).toEqual([
      `--defaults-file=${optionFile}`,
      '--single-transaction', '--quick', '--routines', '--triggers', '--no-tablespaces', '--hex-blob', '--default-character-set=utf8mb4',
      '--databases', 'jobmon_db',
    ]);
    expect((await log('mode')).trim()).toBe('600');
    expect(await log('cnf')).toBe(`[client]\nuser="read_only"\npassword="FAKE-SENTINEL \\"q\\" \\\\ #x"\nhost="127.0.0.1"\nport=33306\nprotocol=TCP\n`);
    await expect(stat(optionFile)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await world.files()).toContain('dbs_33306_dump.sql');
  });

  it('the client\'s environment: PATH, but no planted secret, no MYSQL_HOST and none of our settings', async () => {
    const result = await runCli(['dump', `release-${V.source}`, '--out', 'env.sql'], { cwd: world.cwd, env: env('complete') });
    expect(result.exitCode, result.stderr).toBe(0);
    const vars = Object.fromEntries((await log('env')).trimEnd().split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
    expect(vars.PATH).toBe(`${bin.dir}:${process.env.PATH}`);
    for (const name of [...Object.keys(PLANTED), 'JOBMON_OPS_REGISTRY', 'JOBMON_DEPLOYMENTS_DIR']) expect(vars, name).not.toHaveProperty(name);
    expect(await log('env')).not.toContain('SENTINEL');
  });

  it('a client that exits 0 without the dump-completed line: exit 1, no file at all', async () => {
    const before = await world.files();
    const result = await runCli(['dump', `release-${V.source}`, '--out', 'partial.sql'], { cwd: world.cwd, env: env('partial') });
    expect(result.exitCode).toBe(1);
    expect(result.stderr.trim()).toBe('error: mariadb-dump exited 0 but its output does not end with "-- Dump completed"; no file was written');
    expect(await world.files()).toEqual(before);
  });

  it('Ctrl-C: exit 130, the client stopped, no output file and no option file left', async () => {
    const before = await world.files();
    const child = execa(process.execPath, [BIN, 'dump', `release-${V.source}`, '--out', 'stopped.sql'], { cwd: world.cwd, env: { NO_COLOR: '1', ...env('hang') }, reject: false, stdin: 'ignore' });
    for (let i = 0; i < 200; i++) {
      if (await stat(path.join(bin.dir, 'log.started')).then(() => true, () => false)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const temp = (await world.files()).filter((f) => !before.includes(f));
    expect(temp).toEqual([expect.stringMatching(/^\.stopped\.sql\.[0-9a-f]{12}\.part$/)]);
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(result.stderr.trim()).toBe('error: interrupted; the dump was stopped and its files removed');
    expect(await world.files()).toEqual(before);
    await expect(stat((await log('path')).trim())).rejects.toMatchObject({ code: 'ENOENT' });
    expect(`${result.stdout}${result.stderr}`).not.toContain('SENTINEL');
  });
});
