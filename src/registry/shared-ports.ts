import { numericPorts } from './release.js';
import type { Release } from './schema.js';

/** A client-only release and its server share ports by design (the shared-port rule's exemption). */
function isAliasPair(release: Release, first: Release): boolean {
  return (
    (release.server !== undefined && (release.server === first.tag || release.server === first.server)) ||
    (first.server !== undefined && first.server === release.tag)
  );
}

/**
 * Sets `sharedPorts` on every row of one host that reuses a port of an earlier
 * row, with the reason `reasonFor` gives, and drops reasons for ports no
 * longer shared. Mirrors the shared-port rule, so a marked host passes it.
 */
export function markSharedPorts(releases: Release[], reasonFor: (index: number, port: number) => string): Release[] {
  const firstUser = new Map<number, Release>();
  return releases.map((release, index) => {
    const reasons: Record<string, string> = {};
    for (const { port } of numericPorts(release)) {
      const first = firstUser.get(port);
      if (!first) {
        firstUser.set(port, release);
      } else if (first !== release && !isAliasPair(release, first)) {
        // A port used twice by one row is left for the rules to report.
        reasons[String(port)] = reasonFor(index, port);
      }
    }
    const { sharedPorts: _previous, ...rest } = release;
    return Object.keys(reasons).length > 0 ? { ...rest, sharedPorts: reasons } : rest;
  });
}
