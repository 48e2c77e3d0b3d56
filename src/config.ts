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

const SIZE_UNITS = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 } as const;
/** Docker refuses a memory limit below 6 MiB. */
const MIN_MEMORY = 6 * SIZE_UNITS.m;

/** `512m`, `2g` (Docker's units, 1024-based) as bytes; undefined when it is not such a size. */
export function parseSize(size: string): number | undefined {
  const match = /^([1-9][0-9]{0,12})([bkmg])$/i.exec(size);
  if (!match) return undefined;
  return Number(match[1]) * SIZE_UNITS[match[2]!.toLowerCase() as keyof typeof SIZE_UNITS];
}

const sizeSchema = v.pipe(
  v.string('must be a size such as "512m" or "2g"'),
  v.check((size) => parseSize(size) !== undefined, 'must be a size such as "512m" or "2g" (a whole number, then b, k, m or g)'),
  v.transform((size) => parseSize(size)!),
  v.minValue(MIN_MEMORY, 'must be at least 6m (Docker refuses less)'),
);

/** A container's memory (bytes once parsed) and process-count limits; an absent one keeps the default. */
const limitSchema = v.strictObject(
  {
    memory: v.optional(sizeSchema),
    pids: v.optional(v.pipe(v.number('must be a number of processes'), v.integer('must be a whole number'), v.minValue(16, 'must be at least 16 (each server runs a dozen threads)'))),
  },
  objectMessage('a limit entry ({ "memory": "1g", "pids": 256 })'),
);

/** Per compose service; the keys are the services' names. */
const limitsSchema = v.strictObject(
  { db: v.optional(limitSchema), jobmon: v.optional(limitSchema), monitor: v.optional(limitSchema), initdb: v.optional(limitSchema) },
  objectMessage('the limits of the services db, jobmon, monitor and initdb'),
);

export type ConfiguredLimits = v.InferOutput<typeof limitsSchema>;

export const configSchema = v.strictObject(
  {
    repository: v.optional(text),
    deployUser: v.optional(text),
    defaultHost: v.optional(text),
    hosts: v.optional(v.record(v.string(), hostConfigSchema), {}),
    /** Memory and pids limits of the deployed containers (defaults in src/deploy/container-hardening.ts). */
    limits: v.optional(limitsSchema),
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
