import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { expectJsonOutput, JSON_SCHEMAS } from '../fixtures/json-schemas.js';
import { makeTempDir, REPO_ROOT, runCli, SEED_PAGE, SHIPPED_REGISTRY } from '../helpers/cli.js';

// The --json outputs no other test parses; the rest are checked where their commands are tested.
// Runs the built binary: `npm run build` first.
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

describe('--json outputs', () => {
  it('ports render --json: the rendered text and its format', async () => {
    const result = await runCli(['ports', 'render', '--registry', SHIPPED_REGISTRY, '--format', 'markdown', '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const data = expectJsonOutput('ports render', result.stdout);
    expect(data.format).toBe('markdown');
    expect(data.text).toContain('release-0.8.7');
  });

  it('ports import --dry-run --json: what it would write, written false', async () => {
    const { dir, cleanup } = await makeTempDir();
    cleanups.push(cleanup);
    const result = await runCli(['ports', 'import', SEED_PAGE, '--dry-run', '--json', '--registry', 'ports.json'], { cwd: dir });
    expect(result.exitCode, result.stderr).toBe(0);
    const data = expectJsonOutput('ports import', result.stdout);
    expect(data).toMatchObject({ written: false });
    expect(data.registry.hosts).toHaveProperty('jobmon-p01');
  });
});

describe('docs/json.md', () => {
  const doc = readFileSync(path.join(REPO_ROOT, 'docs/json.md'), 'utf8');
  // The schemas the tests check and the page people read must name the same fields.
  it.each(Object.keys(JSON_SCHEMAS))('documents every top-level field of %s --json', (command) => {
    const start = doc.indexOf(`### \`${command} --json\``);
    expect(start, `no section for ${command} --json`).toBeGreaterThanOrEqual(0);
    const section = doc.slice(start).split(/\n### /)[0]!;
    const keys = Object.keys(JSON_SCHEMAS[command as keyof typeof JSON_SCHEMAS].entries).filter((k) => k !== 'schemaVersion');
    expect(keys.filter((key) => !section.includes(`\`${key}\``))).toEqual([]);
  });
});
