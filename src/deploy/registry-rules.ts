import { UsageError } from '../errors.js';
import { checkRules } from '../registry/rules.js';
import { formatProblem, type Registry } from '../registry/schema.js';

/** How deploy names a registry in its errors, and what to do about a broken one. */
export interface RegistryName {
  what: string;
  fix: string;
}

/** The registry found here (--registry, JOBMON_OPS_REGISTRY, ./ports.json): dry run and preflight name it alike. */
export const LOCAL_REGISTRY: RegistryName = { what: 'the local registry', fix: 'fix it before deploying (jobmon-ops ports check lists every problem)' };

/** A tag's own ports.json, which only a new commit and tag can fix. */
export function tagRegistry(tag: string): RegistryName {
  return { what: `the ports.json of tag ${tag}`, fix: 'fix it in a new commit and tag that (jobmon-ops ports check in its checkout lists every problem)' };
}

/**
 * Deploy plans only from a registry that passes the rules `ports check` runs
 * (a port of 0 or 70000 would otherwise reach the engine, or a shared port
 * go unnoticed): the first problem, with its path, as one UsageError.
 */
export function assertRegistryRules(registry: Registry, name: RegistryName): void {
  const problems = checkRules(registry);
  if (problems.length === 0) return;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  throw new UsageError(`${name.what} breaks a registry rule: ${formatProblem(problems[0]!)}${more}; ${name.fix}`);
}
