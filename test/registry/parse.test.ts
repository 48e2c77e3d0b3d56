import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatRegistry } from '../../src/registry/format.js';
import { findDuplicateKeys } from '../../src/registry/duplicate-keys.js';
import { parseRegistry } from '../../src/registry/parse.js';
import { SHIPPED_REGISTRY } from '../helpers/cli.js';
import { shippedRegistry } from './fixtures.js';

describe('parseRegistry', () => {
  it('accepts the committed ports.json with no problems', () => {
    const parsed = parseRegistry(readFileSync(SHIPPED_REGISTRY, 'utf8'));
    expect(parsed.ok).toBe(true);
    expect(parsed.problems).toEqual([]);
  });

  it('ships the complete history from the docs, quirks included', () => {
    const registry = shippedRegistry();
    const p01 = registry.hosts['jobmon-p01']!.releases;
    const cont = registry.hosts['jobmon-docker-cont-p01']!.releases;
    expect(p01).toHaveLength(16);
    expect(cont).toHaveLength(4);
    expect(p01.filter((r) => r.label === 'emu.3')).toHaveLength(2);
    expect(p01[0]).toEqual({ label: 'emu.0', jqs: 'na', jsm1: 4556, jsm2: 4557, db: 3307 });
    expect(p01[9]).toMatchObject({ label: 'http', tag: '0.7.0', jsm2: 'n/a' });
    expect(p01[12]).toEqual({ label: 'http.4', tag: 'release-0.8.0', jsm1: 8256, db: 3800 });
    expect(p01[7]!.notes).toBe('Database-lost');
    expect(p01[6]).toMatchObject({ tag: 'kelly-and-leo', notes: '063again' });
    expect(cont.at(-1)).toEqual({ label: 'http.11', tag: 'release-0.8.7', jsm1: 8756, db: 3870 });
  });

  it('is stored in its own stable formatting', () => {
    const text = readFileSync(SHIPPED_REGISTRY, 'utf8');
    expect(formatRegistry(shippedRegistry())).toBe(text);
  });

  it.each<[string, (r: Record<string, any>) => unknown, string]>([
    ['an unknown field', (r) => ({ ...r, bogus: 1 }), 'bogus: is not a field of the registry'],
    ['an unknown release field', (r) => (r.hosts['jobmon-p01'].releases[0].bogus = 1, r), 'hosts.jobmon-p01.releases[0].bogus: is not a field of a release'],
    ['a fractional port', (r) => (r.hosts['jobmon-p01'].releases[0].db = 38.5, r), 'hosts.jobmon-p01.releases[0].db: must be a whole number'],
    ['a bad host name', (r) => (r.hosts['bad host'] = { releases: [] }, r), 'hosts.bad host: must be a host name'],
    ['a missing label', (r) => (delete r.hosts['jobmon-p01'].releases[0].label, r), 'hosts.jobmon-p01.releases[0].label: is required'],
    ['another format', (r) => ({ ...r, format: 2 }), 'format: must be 1'],
    ['not an object', () => 5, ': must be the registry (an object)'],
  ])('names the path of %s', (_name, mutate, expected) => {
    const parsed = parseRegistry(JSON.stringify(mutate(JSON.parse(readFileSync(SHIPPED_REGISTRY, 'utf8')))));
    expect(parsed.ok).toBe(false);
    expect(parsed.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([expected]);
  });

  it('says where malformed JSON breaks', () => {
    const parsed = parseRegistry('{\n  "format": 1,\n  "hosts": {\n}');
    expect(parsed.ok).toBe(false);
    expect(parsed.problems[0]!.path).toMatch(/^line 4, column \d+$/);
    expect(parsed.problems[0]!.message).toMatch(/^invalid JSON/);
  });

  it('reports schema problems as path: message', () => {
    const registry = JSON.parse(readFileSync(SHIPPED_REGISTRY, 'utf8'));
    registry.hosts['jobmon-p01'].releases[3].db = '38x0';
    delete registry.internalPorts;
    const parsed = parseRegistry(JSON.stringify(registry));
    expect(parsed.ok).toBe(false);
    expect(parsed.problems).toEqual([
      { path: 'internalPorts', message: 'is required' },
      { path: 'hosts.jobmon-p01.releases[3].db', message: 'must be a port number or placeholder text such as "n/a"' },
    ]);
  });

  it('refuses a key given twice in one object, naming its path and both lines', () => {
    const text = readFileSync(SHIPPED_REGISTRY, 'utf8').replace('{ "label": "emu.2",', '{ "label": "emu.2", "label": "emu.2b",');
    const parsed = parseRegistry(text);
    expect(parsed.ok).toBe(false);
    const line = text.split('\n').findIndex((l) => l.includes('"emu.2b"')) + 1;
    expect(parsed.problems).toEqual([{ path: 'hosts.jobmon-p01.releases[2].label', message: `is given twice in one object (lines ${line} and ${line}); JSON would keep only the last` }]);
  });

  it('finds duplicates however they are spelt, and at any depth, without recursion', () => {
    const spelt = parseRegistry('{"format": 1, "hosts": {"a": {"releases": []}, "\\u0061": {"releases": []}}}');
    expect(spelt.problems.map((p) => p.path)).toEqual(['hosts.a']);
    const depth = 500_000;
    const deep = `{"format": 1, "references": ${'['.repeat(depth)}{"x": 1, "x": 2}${']'.repeat(depth)}}`;
    expect(findDuplicateKeys(deep)).toEqual([expect.objectContaining({ path: `references${'[0]'.repeat(depth)}.x` })]);
  });

  it.each([
    ['a control character in a label', (r: any) => (r.hosts['jobmon-p01'].releases[2].label = 'emu\u0007.2'), 'hosts.jobmon-p01.releases[2].label: must not contain control characters (U+0007 at character 4)'],
    ['a control character in a tag', (r: any) => (r.hosts['jobmon-p01'].releases[12].tag = 'release-0.8.0\u001b[2J'), 'hosts.jobmon-p01.releases[12].tag: must not contain control characters (U+001B at character 14)'],
    ['a "|" in a label', (r: any) => (r.hosts['jobmon-p01'].releases[2].label = 'emu|2'), 'hosts.jobmon-p01.releases[2].label: must not contain "|" (it separates the columns of the rendered tables)'],
    ['a control character in notes', (r: any) => (r.hosts['jobmon-p01'].releases[7].notes = 'lost\u0000'), 'hosts.jobmon-p01.releases[7].notes: must be one line without "|" or control characters'],
  ])('refuses %s with its path', (_name, mutate, expected) => {
    const registry = JSON.parse(readFileSync(SHIPPED_REGISTRY, 'utf8'));
    mutate(registry);
    const parsed = parseRegistry(JSON.stringify(registry));
    expect(parsed.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([expected]);
  });

  it('accepts a UTF-8 byte order mark at the start', () => {
    const parsed = parseRegistry(`\uFEFF${readFileSync(SHIPPED_REGISTRY, 'utf8')}`);
    expect(parsed).toMatchObject({ ok: true, problems: [] });
  });
});
