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
