import { mkdtemp, rm, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(REPO_ROOT, 'bin/jobmon-ops.js');
export const SHIPPED_REGISTRY = path.join(REPO_ROOT, 'ports.json');
/** The port tables of the original docs page this project replaces, as the page has them. */
export const SEED_PAGE = path.join(REPO_ROOT, 'test/fixtures/docs-port-tables.rst');

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built binary as a user does (`node bin/jobmon-ops.js ...`), with no
 * stdin and no colour. `npm test` builds first.
 */
export async function runCli(args: string[], options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CliResult> {
  const result = await execa(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { NO_COLOR: '1', JOBMON_OPS_CONFIG: '/nonexistent/jobmon-ops-config.json', ...options.env },
    extendEnv: true,
    reject: false,
    stdin: 'ignore',
    timeout: options.timeoutMs ?? 20_000,
  });
  return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** A temporary folder, removed by the returned cleanup. */
export async function makeTempDir(prefix = 'jobmon-ops-test-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A temp folder holding a copy of the shipped ports.json (and optional extra files). */
export async function makeRegistryDir(files: Record<string, string> = {}): Promise<{ dir: string; registry: string; cleanup: () => Promise<void> }> {
  const temp = await makeTempDir();
  const registry = path.join(temp.dir, 'ports.json');
  await copyFile(SHIPPED_REGISTRY, registry);
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(temp.dir, name), text);
  return { ...temp, registry };
}
