import path from 'node:path';
import { allReleases, displayName, numericPorts } from './release.js';
import { PORT_COLUMN, PORT_FIELDS, type Problem, type Registry } from './schema.js';

/** A named rule: takes a schema-valid registry, returns its problems. */
export interface Rule {
  name: string;
  check(registry: Registry): Problem[];
}

const releasePath = (host: string, index: number) => `hosts.${host}.releases[${index}]`;

const portRange: Rule = {
  name: 'port-range',
  check(registry) {
    const problems: Problem[] = [];
    for (const [key, port] of Object.entries(registry.internalPorts)) {
      if (port < 1 || port > 65535) problems.push({ path: `internalPorts.${key}`, message: `${port} is not a port (1-65535)` });
    }
    for (const { host, index, release } of allReleases(registry)) {
      for (const { field, port } of numericPorts(release)) {
        if (port < 1 || port > 65535) {
          problems.push({ path: `${releasePath(host, index)}.${field}`, message: `${port} is not a port (1-65535)` });
        }
      }
    }
    return problems;
  },
};

/**
 * A port used by two releases of one host needs a recorded reason on every
 * release after the first (`sharedPorts`), except a client-only release and
 * its server, which share ports by design. A reason for a port that is not
 * shared is reported too, so stale reasons do not pile up.
 */
const sharedPort: Rule = {
  name: 'shared-port',
  check(registry) {
    const problems: Problem[] = [];
    for (const [host, entry] of Object.entries(registry.hosts)) {
      const firstUser = new Map<number, { index: number; name: string; tag?: string; server?: string }>();
      entry.releases.forEach((release, index) => {
        const where = releasePath(host, index);
        const seenHere = new Set<number>();
        const reasons = release.sharedPorts ?? {};
        const usedReasons = new Set<string>();
        for (const { field, port } of numericPorts(release)) {
          if (seenHere.has(port)) {
            problems.push({ path: `${where}.${field}`, message: `port ${port} is used twice by ${displayName(release)}` });
            continue;
          }
          seenHere.add(port);
          const first = firstUser.get(port);
          if (!first) {
            firstUser.set(port, { index, name: displayName(release), tag: release.tag, server: release.server });
            continue;
          }
          const aliasPair =
            (release.server !== undefined && (release.server === first.tag || release.server === first.server)) ||
            (first.server !== undefined && first.server === release.tag);
          if (aliasPair) continue;
          if (reasons[String(port)] !== undefined) {
            usedReasons.add(String(port));
            continue;
          }
          problems.push({
            path: `${where}.${field}`,
            message: `port ${port} is also used by ${first.name} on ${host}; record a reason under sharedPorts or pick another port`,
          });
        }
        for (const port of Object.keys(reasons)) {
          if (!usedReasons.has(port)) {
            problems.push({ path: `${where}.sharedPorts.${port}`, message: `port ${port} is not shared with an earlier release; remove the reason` });
          }
        }
      });
    }
    return problems;
  },
};

/** A client-only release names an earlier server release of its host and has exactly its ports. */
const clientOnlyAlias: Rule = {
  name: 'client-only-alias',
  check(registry) {
    const problems: Problem[] = [];
    for (const [host, entry] of Object.entries(registry.hosts)) {
      entry.releases.forEach((release, index) => {
        if (release.server === undefined) return;
        const where = `${releasePath(host, index)}.server`;
        const serverIndex = entry.releases.findIndex((r) => r.tag === release.server);
        const server = entry.releases[serverIndex];
        if (!server || serverIndex >= index) {
          problems.push({ path: where, message: `${release.server} is not an earlier release on ${host}` });
          return;
        }
        if (server.server !== undefined) {
          problems.push({ path: where, message: `${release.server} is itself client-only; name its server ${server.server}` });
          return;
        }
        for (const field of PORT_FIELDS) {
          if (release[field] !== server[field]) {
            problems.push({
              path: `${releasePath(host, index)}.${field}`,
              message: `a client-only release keeps its server's ${PORT_COLUMN[field]} port (${String(server[field] ?? 'none')})`,
            });
          }
        }
      });
    }
    return problems;
  },
};

const uniqueTag: Rule = {
  name: 'unique-tag',
  check(registry) {
    const problems: Problem[] = [];
    for (const [host, entry] of Object.entries(registry.hosts)) {
      const seen = new Map<string, number>();
      entry.releases.forEach((release, index) => {
        if (release.tag === undefined) return;
        const earlier = seen.get(release.tag);
        if (earlier !== undefined) {
          problems.push({ path: `${releasePath(host, index)}.tag`, message: `${release.tag} is also the tag of releases[${earlier}]` });
        } else {
          seen.set(release.tag, index);
        }
      });
    }
    return problems;
  },
};

/** Reference and history paths are relative to the registry's folder and stay inside it. */
const repoPaths: Rule = {
  name: 'repo-paths',
  check(registry) {
    const problems: Problem[] = [];
    for (const key of ['references', 'history'] as const) {
      registry[key].forEach((file, index) => {
        const normal = path.posix.normalize(file);
        if (path.posix.isAbsolute(file) || normal.startsWith('../') || normal === '..') {
          problems.push({ path: `${key}[${index}]`, message: `${file} must be a path inside the repository` });
        }
      });
    }
    const history = new Set(registry.history);
    registry.references.forEach((file, index) => {
      if (history.has(file)) problems.push({ path: `references[${index}]`, message: `${file} is also listed under history` });
    });
    return problems;
  },
};

export const RULES: readonly Rule[] = [portRange, sharedPort, clientOnlyAlias, uniqueTag, repoPaths];

/** Runs every rule; an empty list means the registry is consistent. */
export function checkRules(registry: Registry, rules: readonly Rule[] = RULES): Problem[] {
  return rules.flatMap((rule) => rule.check(registry));
}
