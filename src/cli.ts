import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { CommandFn, Context } from './context.js';
import { ExitCode, JobmonOpsError } from './errors.js';
import { createLogger, wantsColor } from './logger.js';

/**
 * The whole CLI surface lives in this file. Command modules are imported only
 * when their command runs, so `--help` and `ports list` never load Docker,
 * MySQL or prompt libraries.
 */
const COMMANDS = {
  'ports list': () => import('./commands/ports-list.js').then((m) => m.portsList),
  'ports show': () => import('./commands/ports-show.js').then((m) => m.portsShow),
  'ports bump': () => import('./commands/ports-bump.js').then((m) => m.portsBump),
  'ports check': () => import('./commands/ports-check.js').then((m) => m.portsCheck),
  'ports render': () => import('./commands/ports-render.js').then((m) => m.portsRender),
  'ports import': () => import('./commands/ports-import.js').then((m) => m.portsImport),
  deploy: () => import('./commands/deploy.js').then((m) => m.deploy),
} satisfies Record<string, () => Promise<CommandFn<never>>>;

export type CommandName = keyof typeof COMMANDS;

/** Receives a command's name and its options (globals merged in). */
export type Dispatch = (name: CommandName, options: Record<string, unknown>) => Promise<void>;

/** A whole number of seconds, at least 1 (commander turns the error into exit 2). */
function parseSeconds(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('must be a whole number of seconds, at least 1');
  return Number(value);
}

/** Builds the command tree; `dispatch` runs a command (tests pass one that records). */
export function createProgram(dispatch: Dispatch): Command {
  const program = new Command('jobmon-ops')
    .description('Deploy and operate versioned Jobmon servers on Docker hosts')
    .option('--registry <file>', 'port registry (default: ports.json here or in the git root; env JOBMON_OPS_REGISTRY)')
    .option('--json', 'print data as JSON')
    .option('--no-color', 'no colour (also NO_COLOR)')
    .option('-v, --verbose', 'say more')
    .option('-q, --quiet', 'print only data and errors')
    .showHelpAfterError('(run jobmon-ops --help for usage)')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) });

  const action = (name: CommandName, toOptions: (...args: unknown[]) => Record<string, unknown>) =>
    async function (this: Command, ...args: unknown[]) {
      const command = args[args.length - 1] as Command;
      const positional = toOptions(...args.slice(0, -2));
      await dispatch(name, { ...command.optsWithGlobals(), ...positional });
    };

  const ports = program.command('ports').description('the port registry (ports.json)');
  ports
    .command('list')
    .description('the registry as tables, like the docs')
    .option('--host <host>', 'only this Docker host')
    .action(action('ports list', () => ({})));
  ports
    .command('show')
    .description('find a release by tag, version, label, compose project or any port')
    .argument('<ref>', 'release-0.8.7 | 0.8.7 | http.11 | jobmon087 | 3870')
    .option('--host <host>', 'only this Docker host')
    .action(action('ports show', (ref) => ({ ref })));
  ports
    .command('bump')
    .description('register the next release and rewrite the reference files')
    .argument('<release>', 'release-X.Y.Z or X.Y.Z')
    .option('--host <host>', 'Docker host (default: configured default host, else the host of the newest release)')
    .option('--client-only', 'a client-only release: keep the server release\'s ports')
    .addOption(new Option('--scheme <scheme>', 'port scheme (default: legacy below 1.0.0, else semver)').choices(['legacy', 'semver']))
    .option('--label <label>', 'version label (default: the previous label, counted up)')
    .option('--allow-shared-port <reason>', 'allow ports another release uses, recording the reason')
    .option('--dry-run', 'print what would change and write nothing')
    .action(action('ports bump', (release) => ({ release })));
  ports
    .command('check')
    .description('find stale ports of earlier releases in a checkout, and check the registry rules')
    .option('--dir <dir>', 'checkout to scan (default: the registry\'s folder)')
    .action(action('ports check', () => ({})));
  ports
    .command('render')
    .description('the docs\' port tables, generated from the registry')
    .addOption(new Option('--format <format>', 'table format').choices(['rst', 'markdown']).default('rst'))
    .option('--host <host>', 'only this Docker host')
    .action(action('ports render', () => ({})));
  ports
    .command('import')
    .description('read port tables (RST or Markdown, as the docs have them) into the registry')
    .argument('<file>', 'file with the tables')
    .option('--dry-run', 'print the result and write nothing')
    .action(action('ports import', (file) => ({ file })));

  program
    .command('deploy')
    .description('deploy a release to a Docker host (for now: --dry-run prints the plan)')
    .argument('<release>', 'release-0.8.7 | 0.8.7 | http.11 | jobmon087 | 3870')
    .option('--host <host>', 'Docker host (default: configured default host, else the release\'s host)')
    .option('--repo <url>', 'git repository holding the tag (default: the configured one)')
    .option('--bind <address>', 'host address the ports are published on', '0.0.0.0')
    .option('--base-image <image>', 'base image for the server and DB images')
    .option('--wf-channel <channel>', 'Slack channel for lost workflow runs (default: jobmon-alerts)')
    .option('--node-channel <channel>', 'Slack channel for failing nodes (default: suspicious_nodes)')
    .option('--slack-token-file <file>', 'file holding the Slack bot token (mode 600; else JOBMON_SLACK_TOKEN)')
    .option('--timeout <seconds>', 'limit of each health gate', parseSeconds, 120)
    .option('--redeploy', 'replace the containers of a deployed release, keeping its data and passwords')
    .option('--break-lock', 'break a stale deploy lock of this release')
    .option('--yes', 'no prompts: values come from flags and the environment')
    .option('--dry-run', 'print the plan (secrets redacted) and change nothing')
    .addOption(new Option('--commit <sha>', 'commit the images are tagged with').hideHelp())
    .action(action('deploy', (release) => ({ release })));

  return program;
}

function commanderExitCode(error: CommanderError): number {
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return ExitCode.ok;
  return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
}

/** Runs the CLI with `argv` (without node and script); returns the exit code. */
export async function run(argv: string[], base: Partial<Context> = {}): Promise<number> {
  const env = base.env ?? process.env;
  const cwd = base.cwd ?? process.cwd();
  // Until the options are parsed, errors go to a plain logger.
  let logger = base.logger ?? createLogger({ color: false });
  let exitCode: number = ExitCode.ok;
  const program = createProgram(async (name, options) => {
    if (!base.logger) {
      const color = options.color !== false && wantsColor(process.stdout, env);
      logger = createLogger({ color, verbose: options.verbose === true, quiet: options.quiet === true });
    }
    const command = (await COMMANDS[name]()) as CommandFn<Record<string, unknown>>;
    exitCode = (await command(options, { cwd, env, logger })) ?? ExitCode.ok;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return commanderExitCode(error);
    if (error instanceof JobmonOpsError) {
      logger.error(`error: ${error.message}`);
      if (error.details.length > 1) for (const line of error.details) logger.error(`  ${line}`);
      return error.exitCode;
    }
    logger.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    if (error instanceof Error && error.stack) logger.debug(error.stack);
    return ExitCode.problems;
  }
}
