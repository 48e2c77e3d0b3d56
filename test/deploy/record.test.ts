import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deploymentsRoot, ensureVersionDir, latestVolumeRecord, recordFile, secretsFromRecord, writeRecord, type DeploymentRecord } from '../../src/deploy/record.js';
import { makeTempDir } from '../helpers/cli.js';

const record = (over: Partial<DeploymentRecord> = {}): DeploymentRecord =>
  ({
    format: 1,
    status: 'deployed',
    version: '9.8.7',
    database: { name: 'docker', accounts: { root: 'r1', table_creator: 't1', service_user: 's1', read_only: 'o1' } },
    ...over,
  }) as DeploymentRecord;

describe('deployment records', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir: root, cleanup } = await makeTempDir());
  });
  afterEach(() => cleanup());

  it('lives under JOBMON_DEPLOYMENTS_DIR, else ~/jobmon_deployments', () => {
    expect(deploymentsRoot({ JOBMON_DEPLOYMENTS_DIR: '/x', HOME: '/h' })).toBe('/x');
    expect(deploymentsRoot({ HOME: '/h' })).toBe('/h/jobmon_deployments');
  });

  it('writes whole files, mode 0600, in a 0700 folder, and leaves no temporary file', async () => {
    const dir = await ensureVersionDir(root, '9.8.7');
    const file = recordFile(dir, '2026-01-02T03:04:05.678Z');
    expect(file).toBe(path.join(root, '9.8.7', '2026-01-02T03:04:05.678Z.json'));
    await writeRecord(file, record({ status: 'pending' }));
    await writeRecord(file, record({ status: 'deployed' }));
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8')).status).toBe('deployed');
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(dir)).toEqual(['2026-01-02T03:04:05.678Z.json']);
  });

  it('takes the volume\'s passwords from the newest record that did not remove its volume', async () => {
    const dir = await ensureVersionDir(root, '9.8.7');
    await writeRecord(recordFile(dir, '2026-01-01T00:00:00.000Z'), record());
    const newer = record({ database: { name: 'docker', accounts: { root: 'r2', table_creator: 't2', service_user: 's2', read_only: 'o2' } }, status: 'failed' });
    await writeRecord(recordFile(dir, '2026-01-02T00:00:00.000Z'), newer);
    await writeRecord(recordFile(dir, '2026-01-03T00:00:00.000Z'), record({ status: 'rolled-back', volumeRemoved: true }));
    await writeFile(path.join(dir, '2026-01-04T00:00:00.000Z.json'), 'not json');
    await mkdir(path.join(dir, 'checkout-0123456789ab'));
    const found = await latestVolumeRecord(root, '9.8.7');
    expect(found?.file).toBe(recordFile(dir, '2026-01-02T00:00:00.000Z'));
    const secrets = secretsFromRecord(found!.record);
    expect([secrets.root, secrets.tableCreator, secrets.serviceUser, secrets.readOnly].map((s) => s.reveal())).toEqual(['r2', 't2', 's2', 'o2']);
    expect(String(secrets.root)).toBe('[REDACTED]');
    expect(await latestVolumeRecord(root, '1.2.3')).toBeUndefined();
  });
});
