import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import type { Registry } from '../../src/registry/schema.js';
import { parseTables, renderTables } from '../../src/registry/tables.js';
import { SEED_PAGE, SHIPPED_REGISTRY } from '../helpers/cli.js';

const shipped = JSON.parse(readFileSync(SHIPPED_REGISTRY, 'utf8')) as Registry;
const hostsOf = (text: string) => Object.fromEntries(parseTables(text).hosts.map((h) => [h.name, { releases: h.releases }]));

const small: Registry = {
  format: 1,
  internalPorts: { db: 3306, service: 80 },
  references: [],
  history: [],
  hosts: {
    'jobmon-p01': {
      releases: [
        { label: 'http.10', tag: 'release-0.8.6', jsm1: 8656, db: 3860 },
        { label: 'http.11', tag: 'release-0.8.7', jqs: 'n/a', jsm1: 8756, db: 3870, notes: 'client only' },
      ],
    },
  },
};

/** Parses and returns the UsageError's message (fails if nothing is thrown). */
function parseError(text: string): string {
  try {
    parseTables(text);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('parseTables', () => {
  it('reads the docs page tables exactly as they are into the shipped hosts', () => {
    const { hosts } = parseTables(readFileSync(SEED_PAGE, 'utf8'));
    expect(hosts.map((h) => [h.name, h.line])).toEqual([
      ['jobmon-p01', 4],
      ['jobmon-docker-cont-p01', 27],
    ]);
    expect(hostsOf(readFileSync(SEED_PAGE, 'utf8'))).toStrictEqual(shipped.hosts);
  });

  it('records ports reused by a later row as historic shared ports', () => {
    const p01 = parseTables(readFileSync(SEED_PAGE, 'utf8')).hosts[0]!.releases;
    expect(p01.filter((r) => r.sharedPorts).map((r) => [r.label, r.sharedPorts])).toEqual([
      ['http.2', { '6256': 'historic', '6258': 'historic' }],
      ['http.6', { '8356': 'historic' }],
    ]);
  });

  it('reads back what renderTables prints, in both formats', () => {
    for (const format of ['rst', 'markdown'] as const) {
      expect(hostsOf(renderTables(shipped, { format }))).toStrictEqual(shipped.hosts);
      expect(hostsOf(renderTables(small, { format }))).toStrictEqual(small.hosts);
    }
  });

  it('gives a cell that overflows its border, or starts in a gap, to the right column', () => {
    const text = [
      'h1',
      '=======  ====  =====  =========',
      'Version  db    git-tag  dbs-notes',
      '=======  ====  =====  =========',
      'a.1      3801  release-1.0.0  two  words',
      'a.2       3802 x',
      'a.3    3803',
      '=======  ==== ===',
    ].join('\n');
    expect(parseTables(text).hosts[0]!.releases).toStrictEqual([
      { label: 'a.1', db: 3801, tag: 'release-1.0.0', notes: 'two  words' },
      { label: 'a.2', db: 3802, tag: 'x' },
      { label: 'a.3', db: 3803 },
    ]);
  });

  it('reads Markdown under a heading, and keeps n/a, na and empty cells apart', () => {
    const text = ['## lab-host', '', '| Version | jqs | jsm-1 | db | git-tag |', '|:---|---:|---|---|---|', '| v1 | na | n/a |  | t1 |'].join('\n');
    expect(parseTables(text).hosts).toEqual([
      { name: 'lab-host', line: 1, rowLines: [5], releases: [{ label: 'v1', jqs: 'na', jsm1: 'n/a', tag: 't1' }] },
    ]);
  });

  it.each([
    ['a port mixing digits and letters', 'h\n====  ==\nVersion  db\n====  ==\nv1  38a0\n====  ==', /^line 5: the db cell "38a0" mixes digits/],
    ['an unknown column', 'h\n=======  ====\nVersion  jsm1\n=======  ====\nv1       3800\n=======  ====', /^line 3: unknown column "jsm1" \(did you mean jsm-1\?/],
    ['a port out of range', 'h\n| Version | db |\n|---|---|\n| v1 | 70000 |', /^line 4: the db cell 70000 is not a port/],
    ['a missing host name', '| Version | db |\n|---|---|\n| v1 | 3800 |', /^line 1: no host name above this table/],
    ['prose instead of a host name', 'Ports, for example:\n| Version | db |\n|---|---|', /^line 1: "Ports, for example:" .* is not a host name/],
    ['a missing bottom border', 'h\n=======  ==\nVersion  db\n=======  ==\nv1       3800\n', /^line 3: the table has no closing ==== border/],
    ['a short Markdown row', 'h\n| Version | db |\n|---|---|\n| v1 |', /^line 4: the row has 1 cells but the header has 2/],
    ['a host with two tables', 'h\n| Version |\n|---|\n| v1 |\n\nh\n| Version |\n|---|\n| v2 |', /^line 6: host h already has a table at line 1/],
  ])('refuses %s with its line number', (_name, text, message) => {
    const got = parseError(text);
    expect(got).toMatch(message);
    expect(got).toMatch(/; fix the table and import again$/);
  });

  it('ignores tables that are not port tables', () => {
    expect(parseTables('x\n=====  ===\nName   Age\n=====  ===\nbob    3\n=====  ===\n').hosts).toEqual([]);
  });
});

describe('renderTables', () => {
  it('prints an RST simple table per host, as wide as its cells', () => {
    expect(renderTables(small, { format: 'rst' })).toBe(
      [
        'jobmon-p01',
        '',
        '=======  ===  =====  =====  ====  =============  ===========',
        'Version  jqs  jsm-1  jsm-2  db    git-tag        dbs-notes',
        '=======  ===  =====  =====  ====  =============  ===========',
        'http.10       8656          3860  release-0.8.6',
        'http.11  n/a  8756          3870  release-0.8.7  client only',
        '=======  ===  =====  =====  ====  =============  ===========',
        '',
      ].join('\n'),
    );
  });

  it('prints a Markdown pipe table per host', () => {
    expect(renderTables(small, { format: 'markdown' })).toBe(
      [
        'jobmon-p01',
        '',
        '| Version | jqs | jsm-1 | jsm-2 | db | git-tag | dbs-notes |',
        '|---|---|---|---|---|---|---|',
        '| http.10 |  | 8656 |  | 3860 | release-0.8.6 |  |',
        '| http.11 | n/a | 8756 |  | 3870 | release-0.8.7 | client only |',
        '',
      ].join('\n'),
    );
  });

  it('adds viz after db only for a host that has it, and renders one host on request', () => {
    const withViz: Registry = {
      ...small,
      hosts: { ...small.hosts, lab: { releases: [{ label: 'v1', tag: 'release-1.0.0', jsm1: 4001, db: 4002, viz: 4003 }] } },
    };
    const text = renderTables(withViz, { format: 'markdown' });
    expect(text).toContain('\n\nlab\n\n| Version | jqs | jsm-1 | jsm-2 | db | viz | git-tag |\n');
    expect(text).toContain('| Version | jqs | jsm-1 | jsm-2 | db | git-tag | dbs-notes |');
    expect(renderTables(withViz, { format: 'rst', host: 'lab' }).split('\n').slice(0, 4)).toEqual([
      'lab',
      '',
      '=======  ===  =====  =====  ====  ====  =============',
      'Version  jqs  jsm-1  jsm-2  db    viz   git-tag',
    ]);
    expect(hostsOf(text)).toStrictEqual(withViz.hosts);
  });
});
