import { describe, expect, it } from 'vitest';
import { clientErrorLine, describeSystemError, formatBytes, formatSeconds, isCompleteDump, looksLikeDump } from '../../src/dump/format.js';

describe('dump formatting', () => {
  it('sizes in SI units', () => {
    expect([0, 999, 1000, 12_345, 999_999, 12_345_678, 1_050_000_000].map(formatBytes)).toEqual(['0 B', '999 B', '1.00 kB', '12.3 kB', '1000 kB', '12.3 MB', '1.05 GB']);
    expect(formatSeconds(4_250)).toBe('4.3 s');
  });

  it('knows a complete dump by its last line, and a dump by its header', () => {
    expect(isCompleteDump('INSERT ...;\n\n-- Dump completed on 2024-01-01  0:00:00\n')).toBe(true);
    expect(isCompleteDump('-- Dump completed\n')).toBe(true);
    expect(isCompleteDump('-- Dump completed on x\nINSERT INTO t VALUES\n(1),')).toBe(false);
    expect(looksLikeDump('/*M!999999\\- enable the sandbox mode */ \n-- MariaDB dump 10.19  Distrib 10.11.19-MariaDB\n')).toBe(true);
    expect(looksLikeDump('-- MySQL dump 10.13  Distrib 8.0.36\n')).toBe(true);
    expect(looksLikeDump('SELECT 1;\n')).toBe(false);
  });

  it("picks the client's error line, and redacts a secret should one appear", () => {
    const stderr = 'mariadb-dump: [Warning] something\nmariadb-dump: Got error: 1045: "Access denied for user \'ro\'@\'10.0.0.1\' (using password: YES)" when trying to connect\n';
    expect(clientErrorLine(stderr)).toBe('mariadb-dump: Got error: 1045: "Access denied for user \'ro\'@\'10.0.0.1\' (using password: YES)" when trying to connect');
    expect(clientErrorLine('ERROR 1064 (42000) at line 3: near "s3cret"\n', ['s3cret'])).toBe('ERROR 1064 (42000) at line 3: near "[REDACTED]"');
    expect(clientErrorLine('')).toBe('no message');
    expect(clientErrorLine('one\nlast line\n')).toBe('last line');
  });

  it('names a system error from its errno (as the clients print it) or its code', () => {
    expect(describeSystemError(28)).toBe('no space left on device (ENOSPC)');
    expect(describeSystemError('EFBIG')).toBe('file too large (EFBIG)');
    expect(describeSystemError('EDQUOT')).toMatch(/^(.+ \(EDQUOT\)|EDQUOT)$/);
    expect(describeSystemError(99_999)).toBe('error 99999');
    expect(describeSystemError('not a code')).toBe('not a code');
  });
});
