import { allReleases, displayName, newestRelease, numericPorts, type ReleaseRef } from './release.js';
import { PORT_COLUMN, type PortField, type Registry } from './schema.js';

/** A mention of an earlier release's port in a file. */
export interface StaleFinding {
  file: string;
  line: number;
  column: number;
  port: number;
  field: PortField;
  release: string;
  current: string;
  /** The current release's port of the same kind, if it has one. */
  currentPort?: number;
}

export interface StaleIndex {
  current: ReleaseRef;
  /** Port -> the newest earlier release that used it (and as what). */
  stale: Map<number, { field: PortField; release: string }>;
}

/**
 * Stale = a port of an older release that is not also a port of the newest
 * release in the registry. Returns undefined when no release has a semver tag.
 */
export function buildStaleIndex(registry: Registry): StaleIndex | undefined {
  const refs = allReleases(registry);
  const current = newestRelease(refs);
  if (!current) return undefined;
  const currentPorts = new Set(numericPorts(current.release).map((p) => p.port));
  const stale = new Map<number, { field: PortField; release: string }>();
  for (const ref of refs) {
    if (ref === current) continue;
    for (const { field, port } of numericPorts(ref.release)) {
      // Later rows are newer: the last one to use a port names it.
      if (!currentPorts.has(port)) stale.set(port, { field, release: displayName(ref.release) });
    }
  }
  return { current, stale };
}

/** Every whole-number mention of a stale port in `text` (`1234` matches, `12345` does not). */
export function findStalePorts(index: StaleIndex, file: string, text: string): StaleFinding[] {
  const findings: StaleFinding[] = [];
  const lines = text.split('\n');
  lines.forEach((lineText, lineIndex) => {
    for (const match of lineText.matchAll(/\b\d+\b/g)) {
      const port = Number(match[0]);
      const hit = index.stale.get(port);
      if (!hit || String(port) !== match[0]) continue;
      const currentPort = index.current.release[hit.field];
      findings.push({
        file,
        line: lineIndex + 1,
        column: (match.index ?? 0) + 1,
        port,
        field: hit.field,
        release: hit.release,
        current: displayName(index.current.release),
        ...(typeof currentPort === 'number' ? { currentPort } : {}),
      });
    }
  });
  return findings;
}

/** `file:line:col: <port> is the db port of <older release>; the current release <newest> uses <its port>` */
export function formatFinding(f: StaleFinding): string {
  const kind = PORT_COLUMN[f.field];
  const now = f.currentPort === undefined ? `has no ${kind} port` : `uses ${f.currentPort}`;
  return `${f.file}:${f.line}:${f.column}: ${f.port} is the ${kind} port of ${f.release}; the current release ${f.current} ${now}`;
}
