import { InterruptedError } from '../errors.js';
import { Secret } from '../server/secret.js';
import { readSlackToken } from './secrets.js';

/** The channels the original deploy script offered (issue 5). */
export const DEFAULT_CHANNELS = { wf: 'jobmon-alerts', node: 'suspicious_nodes' } as const;

export interface SlackSettings {
  /** Absent: Slack is off, the monitor logs its messages. */
  token?: Secret;
  wfChannel: string;
  nodeChannel: string;
}

export interface SlackOptions {
  wfChannel?: string;
  nodeChannel?: string;
  slackTokenFile?: string;
  yes?: boolean;
}

/** Prompts run only when both ends are a terminal and `--yes` is not given; otherwise nothing waits on stdin. */
export function canPrompt(options: { yes?: boolean }, stdin: NodeJS.ReadStream = process.stdin, stdout: NodeJS.WriteStream = process.stdout): boolean {
  return options.yes !== true && stdin.isTTY === true && stdout.isTTY === true;
}

const isExitPrompt = (error: unknown) => (error as Error | undefined)?.name === 'ExitPromptError';

/**
 * The Slack token and channels. Without a terminal (or with --yes): the token
 * from --slack-token-file or JOBMON_SLACK_TOKEN, channels from the flags or
 * their defaults. On a terminal, what flags and environment leave open is
 * asked: the token with hidden input (nothing echoed; empty = Slack off),
 * then each channel, where Enter takes the default.
 */
export async function slackSettings(options: SlackOptions, env: NodeJS.ProcessEnv, interactive: boolean): Promise<SlackSettings> {
  const given = await readSlackToken(options.slackTokenFile, env);
  const fromFlags = { wfChannel: options.wfChannel ?? DEFAULT_CHANNELS.wf, nodeChannel: options.nodeChannel ?? DEFAULT_CHANNELS.node };
  if (!interactive) return { ...(given ? { token: given } : {}), ...fromFlags };
  const { input, password } = await import('@inquirer/prompts');
  try {
    let token = given;
    if (!token) {
      const typed = (await password({ message: 'Slack bot token (hidden; empty: Slack off):' })).trim();
      token = typed === '' ? undefined : new Secret(typed);
    }
    const channel = (message: string, fallback: string, flag?: string) =>
      flag !== undefined
        ? Promise.resolve(flag)
        : input({ message, default: fallback, validate: (v) => (/^\S{1,150}$/.test(v.trim()) ? true : 'one channel name, no spaces') }).then((v) => v.trim());
    const wfChannel = await channel('Slack channel for lost workflow runs:', DEFAULT_CHANNELS.wf, options.wfChannel);
    const nodeChannel = await channel('Slack channel for failing nodes:', DEFAULT_CHANNELS.node, options.nodeChannel);
    return { ...(token ? { token } : {}), wfChannel, nodeChannel };
  } catch (error) {
    if (isExitPrompt(error)) throw new InterruptedError('interrupted at the prompts; nothing was changed');
    throw error;
  }
}
