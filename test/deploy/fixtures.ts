import type { PlanInput } from '../../src/deploy/plan.js';
import { resolveRelease } from '../../src/registry/resolve.js';
import { Secret } from '../../src/server/secret.js';
import { shippedRegistry } from '../registry/fixtures.js';

/** Sentinels planted as secrets: no output may ever contain them. */
export const SENTINELS = {
  root: 'SENTINEL-s3cr3t-root',
  tableCreator: 'SENTINEL-s3cr3t-table-creator',
  serviceUser: 'SENTINEL-s3cr3t-service-user',
  readOnly: 'SENTINEL-s3cr3t-read-only',
  slackToken: 'SENTINEL-s3cr3t-xoxb-token',
} as const;

export const COMMIT = '0123456789abcdef0123456789abcdef01234567';
export const DEPLOYED_AT = '2025-03-04T05:06:07.000Z';

/** release-0.8.7 from the shipped registry, bound to 127.0.0.1, with the sentinel secrets. */
export function input087(overrides: Partial<PlanInput> = {}): PlanInput {
  const registry = shippedRegistry();
  const match = resolveRelease(registry, 'release-0.8.7');
  return {
    release: { host: match.host, index: match.index, release: match.release },
    commit: COMMIT,
    images: { server: 'jobmon-server:0123456789ab', db: 'jobmon-mariadb:0123456789ab' },
    bindAddress: '127.0.0.1',
    secrets: {
      root: new Secret(SENTINELS.root),
      tableCreator: new Secret(SENTINELS.tableCreator),
      serviceUser: new Secret(SENTINELS.serviceUser),
      readOnly: new Secret(SENTINELS.readOnly),
      slackToken: new Secret(SENTINELS.slackToken),
    },
    slack: { wfChannel: 'jobmon-alerts', nodeChannel: 'suspicious_nodes' },
    deployedBy: 'svcscicompci',
    deployedAt: DEPLOYED_AT,
    internalPorts: registry.internalPorts,
    timeoutSeconds: 90,
    redeploy: false,
    ...overrides,
  };
}

/**
 * A deep copy with each Secret as `{ secret: value }`. Equality ignores a
 * class's private fields, so without this two different Secrets compare equal.
 */
export function revealSecrets(value: unknown): unknown {
  if (value instanceof Secret) return { secret: value.reveal() };
  if (Array.isArray(value)) return value.map(revealSecrets);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revealSecrets(v)]));
  return value;
}
