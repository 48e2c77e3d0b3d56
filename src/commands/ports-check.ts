import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Context, GlobalOptions } from '../context.js';
import { UsageError } from '../errors.js';
import { formatProblem } from '../registry/schema.js';
import { buildStaleIndex, findStalePorts, formatFinding, type StaleFinding } from '../registry/stale.js';
import { loadRegistry } from '../registry/store.js';
import { isSkippedFile, listTrackedFiles } from './ports-check-files.js';
import { jsonOutput } from '../util/json-output.js';

export interface PortsCheckOptions extends GlobalOptions {
  dir?: string;
}

/**
 * The "recursive grep to be sure", as a gate: stale ports of earlier releases
 * in the tracked files of a checkout, plus the registry's own rules.
 * Exit 1 when anything is found.
 */
export async function portsCheck(options: PortsCheckOptions, ctx: Context): Promise<number> {
  const dir = options.dir ? path.resolve(ctx.cwd, options.dir) : undefined;
  const loaded = await loadRegistry({ cwd: dir ?? ctx.cwd, explicit: options.registry, env: ctx.env });
  const checkout = dir ?? loaded.root;
  const index = buildStaleIndex(loaded.registry);
  if (!index) throw new UsageError(`${loaded.file} has no release with a semver tag, so there is no current release to check against; add one with jobmon-ops ports bump`);

  const files = await listTrackedFiles(checkout);
  const findings: StaleFinding[] = [];
  let scanned = 0;
  for (const file of files) {
    const absolute = path.join(checkout, file);
    if (isSkippedFile(absolute, loaded)) continue;
    let content: Buffer;
    try {
      content = await readFile(absolute);
    } catch {
      continue; // tracked but deleted in the work tree, or not a regular file
    }
    if (content.subarray(0, 8000).includes(0)) continue; // binary
    scanned++;
    // Not push(...): a file with a few hundred thousand mentions would overflow the call stack.
    for (const finding of findStalePorts(index, file, content.toString('utf8'))) findings.push(finding);
  }
  const problems = loaded.problems.map((p) => `${path.basename(loaded.file)}: ${formatProblem(p)}`);

  if (options.json) {
    ctx.logger.data(jsonOutput({ current: index.current.release.tag, scanned, findings, problems }));
  } else {
    for (const finding of findings) ctx.logger.data(formatFinding(finding));
    for (const problem of problems) ctx.logger.data(problem);
    const current = `current release ${index.current.release.tag} on ${index.current.host}`;
    if (findings.length === 0 && problems.length === 0) {
      ctx.logger.info(`no stale ports in ${scanned} file${scanned === 1 ? '' : 's'} (${current})`);
    } else {
      const stale = new Set(findings.map((f) => f.file)).size;
      ctx.logger.error(
        `${findings.length} stale port mention(s) in ${stale} file(s), ${problems.length} registry problem(s) (${current}); ` +
          'update them, or list a file that records history under "history" in ports.json',
      );
    }
  }
  return findings.length === 0 && problems.length === 0 ? 0 : 1;
}
