import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { choosePassword, readCurrentRecord } from '../../src/dump/credentials.js';
import { makeTempDir } from '../helpers/cli.js';

let temp: { dir: string; cleanup: () => Promise<void> };
const env = () => ({ JOBMON_DEPLOYMENTS_DIR: temp.dir });

async function record(version: string, at: string, body: object): Promise<void> {
  await mkdir(path.join(temp.dir, version), { recursive: true, mode: 0o700 });
  await writeFile(path.join(temp.dir, version, `${at}.json`), JSON.stringify(body), { mode: 0o600 });
}

beforeAll(async () => {
  temp = await makeTempDir();
  const accounts = (ro: string) => ({ root: 'r', table_creator: 't', service_user: 's', read_only: ro });
  await record('0.8.7', '2025-01-01T00:00:00.000Z', { database: { name: 'docker', accounts: accounts('old') } });
  await record('0.8.7', '2025-02-01T00:00:00.000Z', { database: { name: 'docker', accounts: accounts('current') } });
  // A later failed first deploy whose rollback removed the volume: its passwords guard nothing.
  await record('0.8.7', '2025-03-01T00:00:00.000Z', { volumeRemoved: true, database: { name: 'docker', accounts: accounts('gone') } });
});
afterAll(() => temp.cleanup());

describe('dump credentials', () => {
  it('reads the newest record of the version whose database may still exist', async () => {
    const current = await readCurrentRecord(env(), '0.8.7');
    expect(current).toMatchObject({ file: path.join(temp.dir, '0.8.7', '2025-02-01T00:00:00.000Z.json'), database: 'docker', accounts: { read_only: 'current' } });
    expect(await readCurrentRecord(env(), '0.9.9')).toBeUndefined();
    expect(await readCurrentRecord(env(), undefined)).toBeUndefined();
  });

  it('the record first, then JOBMON_DB_PASSWORD, else one line naming both ways (no terminal)', async () => {
    const record = await readCurrentRecord(env(), '0.8.7');
    const base = { record, version: '0.8.7', interactive: false, where: '127.0.0.1:3870' };
    const fromRecord = await choosePassword({ ...base, user: 'read_only', env: { JOBMON_DB_PASSWORD: 'env' } });
    expect([fromRecord.source, fromRecord.password.reveal()]).toEqual(['record', 'current']);
    const fromEnv = await choosePassword({ ...base, user: 'someone', env: { JOBMON_DB_PASSWORD: 'env' } });
    expect([fromEnv.source, fromEnv.password.reveal()]).toEqual(['environment', 'env']);
    await expect(choosePassword({ ...base, user: 'someone', env: {} })).rejects.toThrow(
      /^no password for someone \(the deployment record .*2025-02-01T00:00:00\.000Z\.json has no account someone\); set JOBMON_DB_PASSWORD, or run on a terminal to be asked$/,
    );
    await expect(choosePassword({ ...base, record: undefined, version: '0.9.9', user: 'read_only', env: {} })).rejects.toMatchObject({
      message: 'no password for read_only (no deployment record of 0.9.9); set JOBMON_DB_PASSWORD, or run on a terminal to be asked',
      exitCode: 2,
    });
  });

  it('looks at the terminal only when neither the record nor the environment has the password', async () => {
    const record = await readCurrentRecord(env(), '0.8.7');
    let asked = 0;
    const interactive = () => (asked++, false);
    const base = { record, version: '0.8.7', interactive, where: '127.0.0.1:3870' };
    await choosePassword({ ...base, user: 'read_only', env: {} });
    await choosePassword({ ...base, user: 'someone', env: { JOBMON_DB_PASSWORD: 'env' } });
    expect(asked).toBe(0);
    await expect(choosePassword({ ...base, user: 'someone', env: {} })).rejects.toThrow(/^no password for someone /);
    expect(asked).toBe(1);
  });
});
