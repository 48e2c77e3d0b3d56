import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { startClient } from '../../src/dump/exec.js';

const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
const sh = (script: string, options: { signal?: AbortSignal; env?: NodeJS.ProcessEnv } = {}) =>
  startClient('/bin/sh', ['-c', script], { stdin: 'ignore', stdout: 'pipe', env: options.env ?? env, signal: options.signal ?? new AbortController().signal });

describe('startClient', () => {
  it('gives the exit code and the stderr, and streams stdout', async () => {
    const child = sh('echo out; echo "mariadb-dump: Got error: 1045" >&2; exit 2');
    const [out, done] = await Promise.all([text(child.stdout!), child.done]);
    expect(out).toBe('out\n');
    expect(done).toEqual({ exitCode: 2, stderr: 'mariadb-dump: Got error: 1045\n' });
  });

  it('names the signal that ended the client (a file-size limit: SIGXFSZ)', async () => {
    const done = await sh('kill -XFSZ $$').done;
    expect(done).toEqual({ exitCode: -1, signal: 'SIGXFSZ', stderr: '' });
  });

  it('passes no password variable on, nor anything off the allowlist; the locale is kept', async () => {
    const child = sh('echo "${MYSQL_PWD:-none} ${JOBMON_DB_PASSWORD:-none} ${JOBMON_SLACK_TOKEN:-none} ${OTHER:-none} $LANG"', {
      env: { ...env, MYSQL_PWD: 'x', JOBMON_DB_PASSWORD: 'y', JOBMON_SLACK_TOKEN: 'z', OTHER: 'w', LANG: 'C.UTF-8' },
    });
    expect(await text(child.stdout!)).toBe('none none none none C.UTF-8\n');
  });

  it('an abort stops it with SIGTERM, and with SIGKILL when it ignores that', { timeout: 15_000 }, async () => {
    const polite = new AbortController();
    const a = sh('sleep 30 & wait', { signal: polite.signal });
    setTimeout(() => polite.abort(), 100);
    expect(await a.done).toMatchObject({ exitCode: -1, signal: 'SIGTERM' });

    const stubborn = new AbortController();
    const b = startClient('/bin/sh', ['-c', "trap '' TERM; echo ready; while :; do sleep 0.1; done"], { stdin: 'ignore', stdout: 'pipe', env, signal: stubborn.signal });
    await new Promise<void>((resolve) => b.stdout!.once('data', () => resolve()));
    const started = Date.now();
    stubborn.abort();
    b.stdout!.resume();
    expect(await b.done).toMatchObject({ exitCode: -1, signal: 'SIGKILL' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_500);
  });

  it('a program that cannot start: exit -1 and the reason', async () => {
    const done = await startClient('/nonexistent/mariadb-dump', [], { stdin: 'ignore', stdout: 'ignore', env, signal: new AbortController().signal }).done;
    expect(done).toMatchObject({ exitCode: -1, stderr: expect.stringContaining('ENOENT') });
  });
});
