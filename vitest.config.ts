import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Fails fast when the MariaDB test instance is down; sweeps old test databases.
    globalSetup: ['test/helpers/mariadb-global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
