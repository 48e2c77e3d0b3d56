import { describe, expect, it } from 'vitest';
import { dbSecrets, generatePassword, PASSWORD_ENV } from '../../src/deploy/secrets.js';

describe('generatePassword', () => {
  it('192 random bits as base64url: 32 characters safe in URLs and shells, distinct each time', () => {
    const passwords = Array.from({ length: 200 }, () => generatePassword());
    for (const password of passwords) expect(password).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{31}$/);
    expect(new Set(passwords).size).toBe(200);
  });

  it('never starts with "-", which a tool could take for an option', () => {
    const draws = [Buffer.alloc(24, 0xfb), Buffer.alloc(24, 0x41)];
    expect(generatePassword(() => draws.shift()!)).toBe(Buffer.alloc(24, 0x41).toString('base64url'));
    expect(draws).toEqual([]);
  });
});

describe('dbSecrets', () => {
  it('JOBMON_PASS_<ACCOUNT> fixes a password; the others are generated', () => {
    let n = 0;
    const secrets = dbSecrets({ JOBMON_PASS_ROOT: 'given-root', JOBMON_PASS_READ_ONLY: '' }, () => `gen-${++n}`);
    expect(Object.fromEntries(Object.entries(secrets).map(([k, s]) => [k, s.reveal()]))).toEqual({
      root: 'given-root',
      tableCreator: 'gen-1',
      serviceUser: 'gen-2',
      readOnly: 'gen-3',
    });
    expect(PASSWORD_ENV).toEqual({
      root: 'JOBMON_PASS_ROOT',
      tableCreator: 'JOBMON_PASS_TABLE_CREATOR',
      serviceUser: 'JOBMON_PASS_SERVICE_USER',
      readOnly: 'JOBMON_PASS_READ_ONLY',
    });
  });
});
