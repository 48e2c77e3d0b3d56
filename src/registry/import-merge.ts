import { markSharedPorts } from './shared-ports.js';
import type { Registry, Release } from './schema.js';
import type { ImportedHost } from './tables.js';

/** The registry `ports import` starts from when there is no file yet. */
export function emptyRegistry(): Registry {
  return { format: 1, internalPorts: { db: 3306, service: 80 }, references: [], history: [], hosts: {} };
}

const sameRow = (a: Release, b: Release) => a.label === b.label && a.tag === b.tag;

/**
 * The existing row each imported row continues: the one at the same position
 * if it has the same label and tag, else the first unclaimed one that does
 * (so inserting a row in the docs does not lose what the tables cannot show).
 */
function matchRows(imported: Release[], existing: Release[]): (Release | undefined)[] {
  const claimed = new Set<number>();
  const claim = (index: number): Release | undefined => {
    if (index < 0 || claimed.has(index)) return undefined;
    claimed.add(index);
    return existing[index];
  };
  const matches = imported.map((row, index) => {
    const same = existing[index];
    return same && sameRow(same, row) ? claim(index) : undefined;
  });
  return imported.map((row, index) => matches[index] ?? claim(existing.findIndex((old, i) => !claimed.has(i) && sameRow(old, row))));
}

/**
 * Merges imported tables into a registry: each imported host's rows replace
 * its releases; hosts not imported are kept, in place. The tables cannot show
 * `server` (client-only releases) or why a port is shared, so both are carried
 * over from the matching existing row; other shared ports get `historic`.
 * Importing the rendered tables of a registry therefore gives it back unchanged.
 */
export function mergeImport(base: Registry, hosts: ImportedHost[]): Registry {
  const merged: Registry = { ...base, hosts: { ...base.hosts } };
  for (const host of hosts) {
    const existing = Object.hasOwn(base.hosts, host.name) ? base.hosts[host.name]!.releases : [];
    const matches = matchRows(host.releases, existing);
    const rows = host.releases.map((row, index) => {
      const server = matches[index]?.server;
      return server === undefined ? row : { ...row, server };
    });
    const releases = markSharedPorts(rows, (index, port) => matches[index]?.sharedPorts?.[String(port)] ?? 'historic');
    merged.hosts[host.name] = { releases };
  }
  return merged;
}
