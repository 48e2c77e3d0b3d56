import { describe, expect, it } from 'vitest';
import { checkRules } from '../../src/registry/rules.js';
import { shippedRegistry, smallRegistry } from './fixtures.js';

const messages = (registry: ReturnType<typeof smallRegistry>) => checkRules(registry).map((p) => `${p.path}: ${p.message}`);

describe('registry rules', () => {
  it('pass on the shipped registry (historic shared ports carry their reason)', () => {
    expect(checkRules(shippedRegistry())).toEqual([]);
  });

  it('flags a port used twice on one host without a reason, naming the other release', () => {
    const registry = smallRegistry();
    registry.hosts.a!.releases.push({ label: 'http.12', tag: 'release-0.8.8', jsm1: 8856, db: 3870 });
    expect(messages(registry)).toEqual([
      'hosts.a.releases[2].db: port 3870 is also used by release-0.8.7 on a; record a reason under sharedPorts or pick another port',
    ]);
    registry.hosts.a!.releases[2]!.sharedPorts = { 3870: 'same database, schema unchanged' };
    expect(messages(registry)).toEqual([]);
  });

  it('allows the same port on different hosts', () => {
    const registry = smallRegistry();
    registry.hosts.b = { releases: [{ label: 'x', tag: 'release-0.8.7', jsm1: 8756, db: 3870 }] };
    expect(messages(registry)).toEqual([]);
  });

  it('flags a reason recorded for a port that is not shared', () => {
    const registry = smallRegistry();
    registry.hosts.a!.releases[1]!.sharedPorts = { 9999: 'why' };
    expect(messages(registry)).toEqual(['hosts.a.releases[1].sharedPorts.9999: port 9999 is not shared with an earlier release; remove the reason']);
  });

  it('flags ports outside 1-65535', () => {
    const registry = smallRegistry();
    registry.hosts.a!.releases[1]!.db = 70000;
    expect(messages(registry)).toEqual(['hosts.a.releases[1].db: 70000 is not a port (1-65535)']);
  });

  it('accepts a client-only alias with its server ports, and rejects one that differs', () => {
    const registry = smallRegistry();
    registry.hosts.a!.releases.push({ label: 'http.12', tag: 'release-0.8.8', jsm1: 8756, db: 3870, server: 'release-0.8.7' });
    expect(messages(registry)).toEqual([]);
    registry.hosts.a!.releases[2]!.db = 3880;
    expect(messages(registry)).toEqual(['hosts.a.releases[2].db: a client-only release keeps its server\'s db port (3870)']);
    registry.hosts.a!.releases[2]!.server = 'release-9.9.9';
    // no longer an alias of release-0.8.7, so its ports count as shared without a reason
    expect(messages(registry)).toEqual([
      'hosts.a.releases[2].jsm1: port 8756 is also used by release-0.8.7 on a; record a reason under sharedPorts or pick another port',
      'hosts.a.releases[2].server: release-9.9.9 is not an earlier release on a',
    ]);
  });

  it('flags a duplicate tag and paths outside the repository', () => {
    const registry = smallRegistry();
    registry.hosts.a!.releases[1]!.tag = 'release-0.8.6';
    registry.references = ['../elsewhere.md'];
    registry.history = ['/etc/passwd'];
    expect(messages(registry)).toEqual([
      'hosts.a.releases[1].tag: release-0.8.6 is also the tag of releases[0]',
      'references[0]: ../elsewhere.md must be a path inside the repository',
      'history[0]: /etc/passwd must be a path inside the repository',
    ]);
  });
});
