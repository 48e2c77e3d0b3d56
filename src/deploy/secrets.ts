import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import { Secret } from '../server/secret.js';
import { errnoCode } from '../util/fs.js';
import type { DbSecrets } from './containers.js';

/** The variables that fix an account's password instead of generating one, as the old script read them. */
export const PASSWORD_ENV: Record<keyof DbSecrets, string> = {
  root: 'JOBMON_PASS_ROOT',
  tableCreator: 'JOBMON_PASS_TABLE_CREATOR',
  serviceUser: 'JOBMON_PASS_SERVICE_USER',
  readOnly: 'JOBMON_PASS_READ_ONLY',
};

/**
 * A fresh password: 192 random bits as base64url (A-Z a-z 0-9 - _), so it
 * needs no quoting in a URL, a shell or an option file. It never starts with
 * `-`, which a tool could read as an option.
 */
export function generatePassword(random: (size: number) => Buffer = randomBytes): string {
  for (;;) {
    const password = random(24).toString('base64url');
    if (!password.startsWith('-')) return password;
  }
}

/** Each account's password: `JOBMON_PASS_<ACCOUNT>` when set, else a generated one. */
export function dbSecrets(env: NodeJS.ProcessEnv, generate: () => string = generatePassword): DbSecrets {
  const pick = (key: keyof DbSecrets) => new Secret(env[PASSWORD_ENV[key]] || generate());
  return { root: pick('root'), tableCreator: pick('tableCreator'), serviceUser: pick('serviceUser'), readOnly: pick('readOnly') };
}

/**
 * The Slack bot token without a prompt: `--slack-token-file` (refused when
 * others can read it), else `JOBMON_SLACK_TOKEN`, else none (Slack off).
 */
export async function readSlackToken(file: string | undefined, env: NodeJS.ProcessEnv): Promise<Secret | undefined> {
  if (file === undefined) return env.JOBMON_SLACK_TOKEN?.trim() ? new Secret(env.JOBMON_SLACK_TOKEN.trim()) : undefined;
  let text: string;
  try {
    const mode = (await stat(file)).mode & 0o777;
    if ((mode & 0o044) !== 0) {
      throw new UsageError(`--slack-token-file ${file} is readable by others (mode ${mode.toString(8).padStart(4, '0')}); run chmod 600 ${file}`);
    }
    text = (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read --slack-token-file ${file} (${errnoCode(error) ?? 'unreadable'}); check the path and its permissions`);
  }
  if (text === '') throw new UsageError(`--slack-token-file ${file} is empty; put the token in it, or leave the option out to deploy without Slack`);
  return new Secret(text);
}
