import { adminConnection, TEST_DB } from './mariadb.js';
import { sweepLeftovers } from './mariadb-sweep.js';

/**
 * Vitest globalSetup: the MariaDB suites are not opt-in, so a missing test
 * instance fails the run at once with the command that starts it, instead of
 * as dozens of connection errors. Then leftovers of older runs are swept.
 */
export default async function setup(): Promise<void> {
  let admin;
  try {
    admin = await adminConnection();
  } catch {
    const error = new Error(`MariaDB test instance not reachable on ${TEST_DB.host}:${TEST_DB.port}; run: bash scripts/test-mariadb.sh`);
    error.stack = error.message; // one line, no frames: the fix is outside the code
    throw error;
  }
  try {
    const swept = await sweepLeftovers(admin);
    if (swept > 0) console.log(`swept ${swept} leftover test database(s)/account(s) from earlier runs`);
  } finally {
    await admin.end();
  }
}
