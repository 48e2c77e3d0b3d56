import type { Connection } from 'mysql2/promise';
import type { Secret } from '../secret.js';
import type { AccountRole } from './accounts.js';

/**
 * Where the privileged accounts (root, table_creator) may log in from: the
 * DB server's own socket and loopback address, so only the DB container
 * itself and initdb, which shares its network namespace, reach them. Every
 * other address is refused, the host's own through the published port too:
 * the engine forwards it from the network's gateway, as it does for every
 * other container on the engine (docs/deploy.md says how to open more).
 */
export const PRIVILEGED_HOSTS: readonly string[] = ['localhost', '127.0.0.1'];

/** Where each role may log in from: table_creator is privileged; service_user and read_only, with their narrow rights, from anywhere. */
export const ACCOUNT_HOSTS: Record<AccountRole, readonly string[]> = {
  tableCreator: PRIVILEGED_HOSTS,
  serviceUser: ['%'],
  readOnly: ['%'],
};

/**
 * Confines an administrator account (initdb's own login, `root` in a
 * deployment) to PRIVILEGED_HOSTS: creates it there with the password it
 * logged in with and every privilege, then drops its '%' login, which the
 * DB image made before this rule. Logins for other hosts that an operator
 * granted on purpose are left alone.
 */
export async function confineAdmin(connection: Connection, name: string, password: Secret, log: (line: string) => void = () => undefined): Promise<void> {
  for (const host of PRIVILEGED_HOSTS) {
    // An existing login keeps its authentication (root@localhost also takes the socket's).
    await connection.query('CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?', [name, host, password.reveal()]).catch((error: { code?: string; sqlMessage?: string }) => {
      // mysql2 puts the interpolated SQL, password included, on its errors: rebuild it from the server's message.
      throw Object.assign(new Error(`creating account ${name}@${host} failed: ${error.sqlMessage ?? error.code ?? 'unknown error'}`), { code: error.code });
    });
    await connection.query('GRANT ALL PRIVILEGES ON *.* TO ?@? WITH GRANT OPTION', [name, host]);
  }
  await connection.query("DROP USER IF EXISTS ?@'%'", [name]);
  log(`account ${name}: every privilege, from ${PRIVILEGED_HOSTS.join(', ')} only`);
}
