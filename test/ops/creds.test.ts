import { describe, expect, it } from 'vitest';
import { accountsFromEnv, connectionUrl, parseEnv } from '../../src/ops/creds.js';
import { resolveOpsTarget } from '../../src/ops/target.js';
import { shippedRegistry, smallRegistry } from '../registry/fixtures.js';

describe('DB accounts from the containers\' environment', () => {
  it('root from the DB container, service_user and read_only from the web service', () => {
    const db = parseEnv(['MARIADB_ROOT_PASSWORD=r=1', 'PATH=/bin']);
    const web = parseEnv(['DB_USER=service_user', 'DB_PASS=s', 'JQS_DB_USER=read_only', 'JQS_DB_PASS=ro', 'DB_NAME=docker']);
    expect(accountsFromEnv(db, web)).toEqual([
      { user: 'root', password: 'r=1' },
      { user: 'service_user', password: 's' },
      { user: 'read_only', password: 'ro' },
    ]);
    expect(accountsFromEnv(undefined, undefined)).toEqual([]);
  });

  it('a connection string masks the password unless asked, and encodes what a URL needs', () => {
    const at = { address: '127.0.0.1', port: 3870, database: 'docker' };
    expect(connectionUrl(at, { user: 'root', password: 'p@ss/word' }, false)).toBe('mysql://root:****@127.0.0.1:3870/docker');
    expect(connectionUrl(at, { user: 'root', password: 'p@ss/word' }, true)).toBe('mysql://root:p%40ss%2Fword@127.0.0.1:3870/docker');
    expect(connectionUrl({ ...at, address: '::1' }, { user: 'root', password: 'x' }, false)).toBe('mysql://root:****@[::1]:3870/docker');
  });
});

describe('resolveOpsTarget: the release an operating command acts on', () => {
  it.each(['release-0.8.7', '0.8.7', 'http.11', 'jobmon087', '3870', '8756'])('%s names release-0.8.7', (ref) => {
    expect(resolveOpsTarget(smallRegistry(), ref)).toMatchObject({ name: 'release-0.8.7', version: '0.8.7', project: 'jobmon087' });
  });

  it('an ambiguous port lists the candidates; an unknown name suggests the nearest', () => {
    expect(() => resolveOpsTarget(shippedRegistry(), '8356')).toThrow(/"8356" is ambiguous: release-0\.8\.1.*release-0\.8\.2/);
    expect(() => resolveOpsTarget(smallRegistry(), 'release-0.8.8')).toThrow(/no release "release-0.8.8" in the registry; did you mean release-0.8.7/);
  });

  it('a release without a semver tag was never deployed by jobmon-ops', () => {
    const registry = smallRegistry();
    registry.hosts.a!.releases.unshift({ label: 'emu.3', jsm1: 4556, db: 3307 });
    expect(() => resolveOpsTarget(registry, 'emu.3')).toThrow(/has no semver tag/);
  });
});
