// Bundles with esbuild. The CLI: one entry plus a lazily loaded chunk per
// command, so start-up loads only what a command uses (bench/startup.mjs).
// The server: one self-contained file, so its image carries that file and the
// node binary and no node_modules, and no CLI library. Type checking is
// `tsc --noEmit` (npm run typecheck).
import { rm } from 'node:fs/promises';
import { build } from 'esbuild';

const common = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  minify: true,
  keepNames: true,
  // CommonJS dependencies bundled into ESM still call require() for Node built-ins.
  banner: { js: "import { createRequire as __jobmonCreateRequire } from 'node:module'; const require = __jobmonCreateRequire(import.meta.url);" },
  logLevel: 'warning',
};

await rm('dist', { recursive: true, force: true });
// dockerode stays in node_modules: its ssh2 dependency loads a native addon
// (sshcrypto.node) that a bundle cannot carry. The CLI always runs beside
// its node_modules; the server image never needs dockerode.
await build({
  ...common,
  entryPoints: { cli: 'src/cli.ts' },
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  external: ['dockerode'],
});
await build({ ...common, entryPoints: { server: 'src/server/main.ts' }, outdir: 'dist', splitting: false });
