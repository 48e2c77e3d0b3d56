import { numericPorts, projectName, versionOf } from './release.js';
import { PORT_COLUMN, type PortField, type Registry, type Release } from './schema.js';

/** One published port of a release: the docs' column name, its field, host port and in-container port. */
export interface PortJson {
  name: string;
  field: PortField;
  external: number;
  internal: number;
}

/**
 * A release as every `--json` output prints it (docs/json.md, "release"):
 * `ports list` and `ports show` both build it here, so a consumer reads one shape.
 * Absent facts are null rather than missing, so the keys are always there.
 */
export interface ReleaseJson {
  host: string;
  label: string;
  tag: string | null;
  version: string | null;
  project: string | null;
  ports: PortJson[];
  notes: string | null;
  server: string | null;
  sharedPorts: Record<string, string>;
}

export function releaseJson(host: string, release: Release, internalPorts: Registry['internalPorts']): ReleaseJson {
  const version = versionOf(release.tag);
  return {
    host,
    label: release.label,
    tag: release.tag ?? null,
    version: version ?? null,
    project: version ? projectName(version) : null,
    ports: numericPorts(release).map(({ field, port }) => ({
      name: PORT_COLUMN[field],
      field,
      external: port,
      internal: field === 'db' ? internalPorts.db : internalPorts.service,
    })),
    notes: release.notes ?? null,
    server: release.server ?? null,
    sharedPorts: release.sharedPorts ?? {},
  };
}

/** The release a deployment record describes, in the same shape; a record keeps no notes, server or shared ports. */
export function releaseJsonOfRecord(record: {
  host: string; label: string; tag: string; version: string; project: string;
  ports: readonly { name: string; hostPort: number; containerPort: number }[];
}): ReleaseJson {
  const fieldOf = (name: string) => (Object.entries(PORT_COLUMN).find(([, column]) => column === name)?.[0] ?? name) as PortField;
  return {
    host: record.host,
    label: record.label,
    tag: record.tag,
    version: record.version,
    project: record.project,
    ports: record.ports.map((p) => ({ name: p.name, field: fieldOf(p.name), external: p.hostPort, internal: p.containerPort })),
    notes: null,
    server: null,
    sharedPorts: {},
  };
}
