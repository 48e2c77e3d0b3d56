import { PORT_FIELDS, type Registry, type Release } from './schema.js';

/** Key order of a release row; the file always uses it. */
const RELEASE_KEYS = ['label', 'tag', ...PORT_FIELDS, 'notes', 'server', 'sharedPorts'] as const;

function inline(value: unknown): string {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const body = Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${JSON.stringify(k)}: ${inline(v)}`)
      .join(', ');
    return `{ ${body} }`;
  }
  return JSON.stringify(value);
}

/** One release as one line, keys in a fixed order, so a bump diffs as one line. */
export function formatRelease(release: Release): string {
  const ordered: Record<string, unknown> = {};
  for (const key of RELEASE_KEYS) {
    const value = release[key];
    if (value === undefined) continue;
    if (key === 'sharedPorts') {
      const sorted = Object.keys(value as object).sort((a, b) => Number(a) - Number(b));
      ordered[key] = Object.fromEntries(sorted.map((port) => [port, (value as Record<string, string>)[port]]));
    } else {
      ordered[key] = value;
    }
  }
  return inline(ordered);
}

const list = (items: string[], indent: string) =>
  items.length === 0 ? '[]' : `[\n${items.map((item) => `${indent}  ${item}`).join(',\n')}\n${indent}]`;

/** The registry file's text: stable formatting, a release per line, trailing newline. */
export function formatRegistry(registry: Registry): string {
  const hosts = Object.entries(registry.hosts).map(
    ([name, host]) =>
      `${JSON.stringify(name)}: {\n      "releases": ${list(host.releases.map(formatRelease), '      ')}\n    }`,
  );
  return [
    '{',
    `  "format": ${registry.format},`,
    `  "internalPorts": ${inline(registry.internalPorts)},`,
    `  "references": ${list(registry.references.map((f) => JSON.stringify(f)), '  ')},`,
    `  "history": ${list(registry.history.map((f) => JSON.stringify(f)), '  ')},`,
    `  "hosts": ${hosts.length === 0 ? '{}' : `{\n    ${hosts.join(',\n    ')}\n  }`}`,
    '}',
    '',
  ].join('\n');
}
