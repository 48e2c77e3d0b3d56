import { describe, expect, it } from 'vitest';
import { rewritePorts } from '../../src/registry/references.js';
import { buildStaleIndex, findStalePorts, formatFinding } from '../../src/registry/stale.js';
import { shippedRegistry } from './fixtures.js';

describe('stale ports', () => {
  const index = buildStaleIndex(shippedRegistry())!;

  it('takes the newest semver release as current', () => {
    expect(index.current.release.tag).toBe('release-0.8.7');
    expect(index.stale.has(3870)).toBe(false);
    expect(index.stale.get(3860)).toEqual({ field: 'db', release: 'release-0.8.6' });
  });

  it('matches whole numbers only and reports file:line:col in the documented words', () => {
    const text = 'db: 3870\nold db 3860 here\nnot 38601 nor 13860 nor 3860a\njsm 8656';
    const findings = findStalePorts(index, 'docs/x.md', text);
    expect(findings.map(formatFinding)).toEqual([
      'docs/x.md:2:8: 3860 is the db port of release-0.8.6; the current release release-0.8.7 uses 3870',
      'docs/x.md:4:5: 8656 is the jsm-1 port of release-0.8.6; the current release release-0.8.7 uses 8756',
    ]);
  });

  it('names the newest earlier user of a shared port and a kind the current release lacks', () => {
    const findings = findStalePorts(index, 'f', '8356 6258');
    expect(findings.map(formatFinding)).toEqual([
      'f:1:1: 8356 is the jsm-1 port of release-0.8.2; the current release release-0.8.7 uses 8756',
      'f:1:6: 6258 is the jqs port of release-0.7.1; the current release release-0.8.7 has no jqs port',
    ]);
  });
});

describe('rewritePorts', () => {
  it('rewrites whole numbers and reports each edit by line', () => {
    const changes = [
      { field: 'db' as const, from: 3870, to: 3880 },
      { field: 'jsm1' as const, from: 8756, to: 8856 },
    ];
    const result = rewritePorts('q.md', 'port 3870\n38701 and 3870/8756\n', changes);
    expect(result.text).toBe('port 3880\n38701 and 3880/8856\n');
    expect(result.edits).toEqual([
      { file: 'q.md', line: 1, from: 3870, to: 3880 },
      { file: 'q.md', line: 2, from: 3870, to: 3880 },
      { file: 'q.md', line: 2, from: 8756, to: 8856 },
    ]);
  });
});
