#!/usr/bin/env node
// Thin launcher: all logic lives in the compiled CLI (npm run build).
let cli;
try {
  cli = await import('../dist/cli.js');
} catch (error) {
  // A fresh clone before its first build: say what to run rather than print a stack.
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.url ?? error.message).endsWith('/dist/cli.js')) throw error;
  process.stderr.write('error: jobmon-ops is not built in this checkout; run npm ci && npm run build, then try again\n');
  process.exit(2);
}
process.exitCode = await cli.run(process.argv.slice(2));
