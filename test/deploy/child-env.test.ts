import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { prepareServerBundle } from '../../src/deploy/build-context.js';
import { findReleaseTag, readFileAtTag } from '../../src/deploy/git-tag.js';
import { childEnv } from '../../src/util/child-env.js';
import { makeTempDir } from '../helpers/cli.js';
import { makeBundleCheckout } from './bundle-checkout.js';

/**
 * The processes deploy starts (the tag's own build steps, git) get the
 * allowlisted environment only: secrets planted in this process's
 * environment never reach them, while PATH and npm's settings do. Real npm,
 * real node running the checkout's build script, real git.
 */
const SENTINELS = {
  JOBMON_SLACK_TOKEN: 'SENTINEL-xoxb-slack-4c1e',
  JOBMON_PASS_ROOT: 'SENTINEL-pass-root-77aa',
  JOBMON_PASS_READ_ONLY: 'SENTINEL-pass-ro-19f0',
  JOBMON_DB_PASSWORD: 'SENTINEL-db-password-2b2b',
  DB_PASS: 'SENTINEL-db-pass-5d5d',
  MYSQL_PWD: 'SENTINEL-mysql-pwd-e0e0',
  AWS_SECRET_ACCESS_KEY: 'SENTINEL-some-other-secret-0909',
};
let dir: string;
let cleanup: () => Promise<void>;
let wrappers: string;
const saved = { ...process.env };

/** A program of this name first on PATH that writes its environment (env -0) to `<dir>/<name>.env` and runs the real one. */
async function logEnvWrapper(name: string): Promise<string> {
  const real = (await execa('sh', ['-c', `command -v ${name}`])).stdout.trim();
  const log = path.join(dir, `${name}.env`);
  await writeFile(path.join(wrappers, name), `#!/bin/sh\nenv -0 >> '${log}'\nexec '${real}' "$@"\n`);
  await chmod(path.join(wrappers, name), 0o755);
  return log;
}

/** Every environment a wrapper logged, as name -> value maps. */
async function loggedEnvs(log: string): Promise<Record<string, string>[]> {
  const text = await readFile(log, 'utf8');
  // One `env -0` per call; a call's first variable follows the previous call's last NUL.
  const entries = text.split('\0').filter((e) => e !== '');
  const envs: Record<string, string>[] = [];
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    const [name, value] = [entry.slice(0, eq), entry.slice(eq + 1)];
    if (envs.length === 0 || name in envs.at(-1)!) envs.push({});
    envs.at(-1)![name] = value;
  }
  return envs;
}

function expectNoSentinel(env: Record<string, string | undefined>): void {
  for (const name of Object.keys(SENTINELS)) expect(env, name).not.toHaveProperty(name);
  expect(JSON.stringify(env)).not.toContain('SENTINEL');
}

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('jobmon-ops-child-env-'));
  wrappers = path.join(dir, 'bin');
  await mkdir(wrappers);
});
afterEach(() => {
  for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
  Object.assign(process.env, saved);
});
afterAll(() => cleanup());

function plantSecrets(): void {
  Object.assign(process.env, SENTINELS, { PATH: `${wrappers}:${saved.PATH}`, npm_config_loglevel: 'warn', LC_ALL: 'C.UTF-8' });
}

describe('childEnv', () => {
  it('keeps the allowlist and the caller\'s extras, nothing else', () => {
    const env = childEnv({ ...SENTINELS, PATH: '/bin', HOME: '/h', LC_TIME: 'C', npm_config_registry: 'https://r.example/', HTTPS_PROXY: 'http://p:3128', GIT_DIR: '/x', NODE_OPTIONS: '--require /x.js' }, { GIT_TERMINAL_PROMPT: '0' });
    expect(env).toEqual({ PATH: '/bin', HOME: '/h', LC_TIME: 'C', npm_config_registry: 'https://r.example/', HTTPS_PROXY: 'http://p:3128', GIT_TERMINAL_PROMPT: '0' });
  });
});

describe('the tag\'s build steps', () => {
  it('npm ci and the checkout\'s own scripts/build.mjs see no planted secret, but PATH, the locale and npm\'s settings', { timeout: 120_000 }, async () => {
    const checkout = await makeBundleCheckout(dir);
    const npmLog = await logEnvWrapper('npm');
    plantSecrets();
    await prepareServerBundle({ checkoutDir: checkout.dir, log: () => undefined, timeoutSeconds: 100 });
    const build = JSON.parse(await readFile(checkout.envFile, 'utf8')) as Record<string, string>;
    expectNoSentinel(build);
    expect(build).toMatchObject({ PATH: process.env.PATH, LC_ALL: 'C.UTF-8', npm_config_loglevel: 'warn' });
    const npm = await loggedEnvs(npmLog);
    expect(npm).toHaveLength(1);
    expectNoSentinel(npm[0]!);
    expect(npm[0]).toMatchObject({ PATH: process.env.PATH, npm_config_loglevel: 'warn' });
    expect(await readFile(path.join(checkout.dir, 'dist/server.js'), 'utf8')).toContain(checkout.builtMarker);
  });
});

describe('git', () => {
  it('ls-remote, init, fetch, rev-parse and show see no planted secret; no prompt, PATH kept', async () => {
    const checkout = await makeBundleCheckout(dir, 'repo-work');
    await execa('git', ['tag', 'release-3.2.1'], { cwd: checkout.dir });
    const bare = path.join(dir, 'repo.git');
    await execa('git', ['clone', '-q', '--bare', checkout.dir, bare]);
    const gitLog = await logEnvWrapper('git');
    plantSecrets();
    const tag = await findReleaseTag(bare, ['release-3.2.1']);
    expect(await readFileAtTag(bare, tag, 'package.json')).toContain('bundle-fixture');
    const envs = await loggedEnvs(gitLog);
    expect(envs.length).toBeGreaterThanOrEqual(5);
    for (const env of envs) {
      expectNoSentinel(env);
      expect(env).toMatchObject({ PATH: process.env.PATH, GIT_TERMINAL_PROMPT: '0', GIT_SSH_COMMAND: 'ssh -o BatchMode=yes' });
    }
  });
});
