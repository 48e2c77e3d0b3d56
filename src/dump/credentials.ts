import { deploymentsRoot, latestVolumeRecord } from '../deploy/record.js';
import { InterruptedError, UsageError } from '../errors.js';
import { Secret } from '../server/secret.js';

/** The password of `--user` when no deployment record holds it and there is no terminal to ask on. */
export const PASSWORD_ENV = 'JOBMON_DB_PASSWORD';

/** What dump and restore take from a version's current deployment record. */
export interface CurrentRecord {
  file: string;
  /** The database name the deploy used (`docker`). */
  database?: string;
  /** Account name -> password. */
  accounts: Record<string, string>;
}

/** The newest record of `version` whose database may still exist (decisions.md 3), if any. */
export async function readCurrentRecord(env: NodeJS.ProcessEnv, version: string | undefined): Promise<CurrentRecord | undefined> {
  if (version === undefined) return undefined;
  const found = await latestVolumeRecord(deploymentsRoot(env), version);
  if (!found) return undefined;
  const { database } = found.record;
  return { file: found.file, ...(database?.name ? { database: database.name } : {}), accounts: { ...(database?.accounts ?? {}) } };
}

export interface PasswordInput {
  user: string;
  record: CurrentRecord | undefined;
  /** The version the record would be of, for the error. */
  version: string | undefined;
  /** The release as the user named it: the error points at `creds`, which can read the password from the containers. */
  release?: string;
  env: NodeJS.ProcessEnv;
  /**
   * True when both ends are a terminal: a missing password is asked for. A
   * function is called only then (looking at stdin costs a dump's start-up
   * some milliseconds, and a password in the record needs no terminal).
   */
  interactive: boolean | (() => boolean);
  /** `127.0.0.1:1234`, for the prompt. */
  where: string;
}

/** Where a password came from, for the log (never the password). */
export type PasswordSource = 'record' | 'environment' | 'prompt';

/**
 * The account's password: from the current deployment record, else
 * JOBMON_DB_PASSWORD, else asked with hidden input on a terminal, else a
 * UsageError naming both ways to give it.
 */
export async function choosePassword(input: PasswordInput): Promise<{ password: Secret; source: PasswordSource }> {
  const stored = input.record?.accounts[input.user];
  if (stored) return { password: new Secret(stored), source: 'record' };
  const given = input.env[PASSWORD_ENV];
  if (given) return { password: new Secret(given), source: 'environment' };
  if (typeof input.interactive === 'function' ? input.interactive() : input.interactive) {
    const { password } = await import('@inquirer/prompts');
    try {
      const typed = await password({ message: `Password of ${input.user} on ${input.where} (hidden):` });
      return { password: new Secret(typed), source: 'prompt' };
    } catch (error) {
      if ((error as Error | undefined)?.name === 'ExitPromptError') throw new InterruptedError('interrupted at the password prompt; nothing was done');
      throw error;
    }
  }
  const why = input.record
    ? `the deployment record ${input.record.file} has no account ${input.user}`
    : input.version
      ? `no deployment record of ${input.version}`
      : 'the release has no version, so no deployment record';
  const creds = input.release ? ` (jobmon-ops creds ${input.release} --user ${input.user} --show prints it, from the containers if there is no record)` : '';
  throw new UsageError(`no password for ${input.user} (${why}); set ${PASSWORD_ENV}${creds}, or run on a terminal to be asked`);
}
