#!/usr/bin/env node
// Thin launcher for the bundled Jobmon server (npm run build).
let server;
try {
  server = await import('../dist/server.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.url ?? error.message).endsWith('/dist/server.js')) throw error;
  process.stderr.write('error: jobmon-server is not built in this checkout; run npm ci && npm run build, then try again\n');
  process.exit(2);
}
const code = await server.main(process.argv.slice(2));
if (code !== 0) process.exit(code);
