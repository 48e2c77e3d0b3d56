import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import * as v from 'valibot';
import { UsageError } from './errors.js';
import { objectMessage } from './registry/schema.js';
import { errnoCode } from './util/fs.js';

const text = v.pipe(v.string('must be text'), v.minLength(1, 'must not be empty'));

const hostConfigSchema = v.strictObject(
  {
    /** Docker engine endpoint: unix:///var/run/docker.sock, tcp://host:2376, ssh://user@host. */
    engine: v.optional(v.pipe(text, v.regex(/^(unix|tcp|ssh|npipe):\/\//, 'must start with unix://, tcp://, ssh:// or npipe://'))),
    /** The address clients (and dump) use to reach the published ports. */
    address: v.optional(text),
  },
  objectMessage('a host entry'),
);

export const configSchema = v.strictObject(
  {
    repository: v.optional(text),
    deployUser: v.optional(text),
    defaultHost: v.optional(text),
    hosts: v.optional(v.record(v.string(), hostConfigSchema), {}),
  },
  objectMessage('the configuration'),
);

export type OperatorConfig = v.InferOutput<typeof configSchema>;

/** `JOBMON_OPS_CONFIG`, else `~/.config/jobmon-ops/config.json`. */
export function configPath(env: NodeJS.ProcessEnv): string {
  return env.JOBMON_OPS_CONFIG || path.join(env.HOME || homedir(), '.config', 'jobmon-ops', 'config.json');
}

/**
 * Reads the operator configuration. A missing file is not an error: it means
 * the local engine, no deploy-user rule, and the repository from `--repo`.
 */
export async function loadConfig(env: NodeJS.ProcessEnv): Promise<OperatorConfig> {
  const file = configPath(env);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return { hosts: {} };
    throw new UsageError(`cannot read the configuration ${file} (${errnoCode(error) ?? (error as Error).message}); fix its permissions or set JOBMON_OPS_CONFIG`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`the configuration ${file} is not valid JSON (${(error as Error).message}); fix it or set JOBMON_OPS_CONFIG`);
  }
  const parsed = v.safeParse(configSchema, data);
  if (!parsed.success) {
    const issue = parsed.issues[0]!;
    throw new UsageError(`the configuration ${file}: ${v.getDotPath(issue) ?? '(top)'}: ${issue.message}; fix it or set JOBMON_OPS_CONFIG`);
  }
  return parsed.output;
}
