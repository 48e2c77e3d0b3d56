import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Fail fast when the MariaDB test instance or the Docker engine is down;
    // sweep leftovers of earlier runs.
    globalSetup: ['test/helpers/mariadb-global-setup.ts', 'test/helpers/docker-global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
