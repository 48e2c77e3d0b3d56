// Bundles the CLI (and, later, the server) with esbuild: one file per entry
// point plus lazily loaded chunks per command. Fewer, smaller modules make
// start-up fast (see bench/startup.mjs), and the server image can carry its
// bundle without node_modules. Type checking is `tsc --noEmit` (npm run typecheck).
import { rm } from 'node:fs/promises';
import { build } from 'esbuild';

await rm('dist', { recursive: true, force: true });
await build({
  entryPoints: { cli: 'src/cli.ts' },
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  minify: true,
  keepNames: true,
  // CommonJS dependencies bundled into ESM still call require() for Node built-ins.
  banner: { js: "import { createRequire as __jobmonCreateRequire } from 'node:module'; const require = __jobmonCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
