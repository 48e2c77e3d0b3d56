import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatRegistry } from '../../src/registry/format.js';
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
});
