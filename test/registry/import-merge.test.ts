import { describe, expect, it } from 'vitest';
import { formatRegistry } from '../../src/registry/format.js';
import { emptyRegistry, mergeImport } from '../../src/registry/import-merge.js';
import { checkRules } from '../../src/registry/rules.js';
import type { Registry } from '../../src/registry/schema.js';
import { parseTables, renderTables } from '../../src/registry/tables.js';

const registry: Registry = {
  ...emptyRegistry(),
  references: ['docs/quickstart.md'],
  hosts: {
    lab: {
      releases: [
        { label: 'v1', tag: 'release-1.0.0', jsm1: 5000, db: 5001 },
        { label: 'v1', tag: 'release-1.0.1', jsm1: 5000, db: 5001, server: 'release-1.0.0' },
        { label: 'v2', tag: 'release-1.1.0', jsm1: 5000, db: 5101, sharedPorts: { '5000': 'rollback drill' } },
      ],
    },
    other: { releases: [{ label: 'x', tag: 'release-0.1.0', db: 4000 }] },
  },
};

describe('mergeImport', () => {
  it('gives a registry back unchanged from its own rendered tables', () => {
    expect(checkRules(registry)).toEqual([]);
    for (const format of ['rst', 'markdown'] as const) {
      const merged = mergeImport(registry, parseTables(renderTables(registry, { format })).hosts);
      expect(formatRegistry(merged)).toBe(formatRegistry(registry));
    }
  });

  it('keeps hosts the file has no table for, in place, and appends new ones', () => {
    const { hosts } = parseTables('new\n\n| Version | db |\n|---|---|\n| n1 | 6000 |\n\nlab\n\n| Version | db |\n|---|---|\n| v9 | 7000 |\n');
    const merged = mergeImport(registry, hosts);
    expect(Object.keys(merged.hosts)).toEqual(['lab', 'other', 'new']);
    expect(merged.hosts.lab!.releases).toEqual([{ label: 'v9', db: 7000 }]);
    expect(merged.hosts.other).toBe(registry.hosts.other);
  });

  it('finds the row to carry over by label and tag when a row was inserted above it', () => {
    const rows = registry.hosts.lab!.releases;
    const edited: Registry = { ...registry, hosts: { lab: { releases: [{ label: 'v0', tag: 'release-0.9.0', db: 4900 }, ...rows] } } };
    const merged = mergeImport(registry, parseTables(renderTables(edited, { format: 'rst' })).hosts);
    expect(merged.hosts.lab!.releases.slice(1)).toEqual(rows);
  });

  it('records a newly shared port of a new row as historic', () => {
    const { hosts } = parseTables('lab\n\n| Version | git-tag | db |\n|---|---|---|\n| a | t1 | 3800 |\n| b | t2 | 3800 |\n');
    expect(mergeImport(emptyRegistry(), hosts).hosts.lab!.releases[1]).toEqual({ label: 'b', tag: 't2', db: 3800, sharedPorts: { '3800': 'historic' } });
  });
});
