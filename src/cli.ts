import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { CommandFn, Context } from './context.js';
import { ExitCode, JobmonOpsError } from './errors.js';
import { addExamples } from './cli-examples.js';
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
  'images bootstrap': () => import('./commands/images-bootstrap.js').then((m) => m.imagesBootstrap),
  'images list': () => import('./commands/images-list.js').then((m) => m.imagesList),
  dump: () => import('./commands/dump.js').then((m) => m.dump),
  restore: () => import('./commands/restore.js').then((m) => m.restore),
  status: () => import('./commands/status.js').then((m) => m.status),
  logs: () => import('./commands/logs.js').then((m) => m.logs),
  start: () => import('./commands/lifecycle.js').then((m) => m.start),
  stop: () => import('./commands/lifecycle.js').then((m) => m.stop),
  restart: () => import('./commands/lifecycle.js').then((m) => m.restart),
  creds: () => import('./commands/creds.js').then((m) => m.creds),
  undeploy: () => import('./commands/undeploy.js').then((m) => m.undeploy),
  completion: () => import('./commands/completion.js').then((m) => m.completion),
  __complete: () => import('./commands/completion.js').then((m) => m.complete),
} satisfies Record<string, () => Promise<CommandFn<never>>>;

export type CommandName = keyof typeof COMMANDS;

/** Receives a command's name and its options (globals merged in). */
export type Dispatch = (name: CommandName, options: Record<string, unknown>) => Promise<void>;

/** A whole number of seconds, at least 1 (commander turns the error into exit 2). */
function parseSeconds(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('must be a whole number of seconds, at least 1');
  return Number(value);
}

/** A TCP port number, 1-65535 (commander turns the error into exit 2). */
function parsePort(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 65535) throw new InvalidArgumentError('must be a port number (1-65535)');
  return Number(value);
}

/** A whole number, 0 or more (commander turns the error into exit 2). */
function parseCount(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a whole number, 0 or more');
  return Number(value);
}

/** A repeatable option's values, in order. */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** This package's version, from its package.json: one folder above both src/ and dist/. */
function packageVersion(): string {
  const file = fileURLToPath(new URL('../package.json', import.meta.url));
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/** Builds the command tree; `dispatch` runs a command (tests pass one that records). */
export function createProgram(dispatch: Dispatch): Command {
  const program = new Command('jobmon-ops')
    .description('Deploy and operate versioned Jobmon servers on Docker hosts')
    .version(packageVersion(), '-V, --version', 'print the version of jobmon-ops')
    // Inherited by every subcommand, so `deploy --help` lists --registry, --json and the rest too.
    .configureHelp({ showGlobalOptions: true })
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
    .argument('<ref>', 'release-0.8.7 | 0.8.7 | http.11 | jobmon087 | any of its ports')
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
    .description('deploy a release to a Docker host: preflight, images, containers with health gates, record')
    .argument('<release>', 'release-0.8.7 | 0.8.7 | http.11 | jobmon087 | any of its ports')
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
    .option('--purge-data', 'delete an existing DB volume of the release, and its data, when no record holds its passwords')
    .option('--yes', 'no prompts: values come from flags and the environment')
    .option('--dry-run', 'print the plan (secrets redacted) and change nothing')
    .addOption(new Option('--commit <sha>', 'commit the images are tagged with').hideHelp())
    .addOption(new Option('--label <key=value>', 'extra label on every resource (repeatable)').argParser(collect).hideHelp())
    .addOption(new Option('--db-option <option>', 'extra option for the DB server (repeatable)').argParser(collect).hideHelp())
    .action(action('deploy', (release) => ({ release })));

  const images = program.command('images').description('the images deploy builds on');
  images
    .command('bootstrap')
    .description('make an offline Debian base image on the engine (debootstrap + import), which deploy then builds FROM')
    .option('--suite <suite>', 'Debian suite', 'bookworm')
    .option('--tag <image>', 'image name (default: jobmon-ops/<suite>:base)')
    .option('--host <host>', 'Docker host whose configured engine gets the image (default: configured default host, else DOCKER_HOST or the local socket)')
    .option('--force', 'make it again even if the engine has it')
    .action(action('images bootstrap', () => ({})));
  images
    .command('list')
    .description('list the jobmon-server and jobmon-mariadb images on the engine: tag, commit, the server\'s Node, created, size')
    .option('--host <host>', 'Docker host whose configured engine to list (default: configured default host, else DOCKER_HOST or the local socket)')
    .action(action('images list', () => ({})));

  program
    .command('dump')
    .description('dump a release\'s database to a file: consistent, complete, the password never on a command line')
    .argument('[release]', 'release-0.8.7 | 0.8.7 | http.11 | jobmon087 | any of its ports (or --port)')
    .option('--port <db-port>', 'the release whose DB port this is', parsePort)
    .option('--host <host>', 'Docker host (when the release or port is on several)')
    .option('--out <file>', 'output file (default: dbs_<port>_dump.sql, or .sql.gz with --gzip, here)')
    .option('--gzip', 'compress the output (also when --out ends in .gz)')
    .option('--user <account>', 'DB account to dump as (default: read_only)')
    .option('--in-container', 'run mariadb-dump inside the release\'s DB container, through the Docker engine')
    .option('--force', 'replace the output file if it exists')
    .addOption(new Option('--database <name>', 'database name when no deployment record gives it').hideHelp())
    .action(action('dump', (release) => (release === undefined ? {} : { ref: release })));
  program
    .command('restore')
    .description('load a dump (.sql or .sql.gz) into a release\'s database, as a privileged account from the deployment record')
    .argument('<release>', 'release-0.8.7 | 0.8.7 | http.11 | jobmon087 | any of its ports')
    .argument('<file>', 'the dump, made by jobmon-ops dump')
    .option('--host <host>', 'Docker host (when the release is on several)')
    .option('--user <account>', 'DB account to load as (default: root)')
    .option('--yes', 'no confirmation prompt (required without a terminal)')
    .option('--force', 'load even when the database has Jobmon data (task_dag has rows)')
    .addOption(new Option('--database <name>', 'database name when no deployment record gives it').hideHelp())
    .action(action('restore', (release, file) => ({ ref: release, file })));

  const RELEASE = 'release-0.8.7 | 0.8.7 | http.11 | jobmon087 | any of its ports';
  const HOST = 'Docker host (when the release is registered on several)';
  program
    .command('status')
    .alias('ps')
    .description('every Jobmon stack on the engine: containers, health, uptime, ports, the monitor\'s last poll')
    .argument('[release]', RELEASE)
    .option('--host <host>', 'Docker host whose engine to ask, and whose registered releases to list (default: the configured default host)')
    .action(action('status', (release) => (release === undefined ? {} : { ref: release })));
  program
    .command('logs')
    .description('a release\'s container logs (stdout and stderr); all services, each line prefixed, unless one is named')
    .argument('<release>', RELEASE)
    .argument('[service]', 'db | jobmon | monitor')
    .option('-n, --tail <lines>', 'only the last N lines of each service', parseCount)
    .option('-f, --follow', 'keep following (Ctrl-C ends it, exit 130)')
    .option('--since <when>', 'only lines since a duration ago (10m, 1h30m, 2d) or a time (2026-01-02T10:00:00Z)')
    .option('-t, --timestamps', 'show the engine\'s timestamp of each line')
    .option('--host <host>', HOST)
    .action(action('logs', (release, service) => ({ ref: release, ...(service === undefined ? {} : { service }) })));
  for (const [name, what] of [
    ['start', 'start a release\'s stack (db, jobmon, monitor) or one service, waiting for health'],
    ['stop', 'stop a release\'s stack (monitor, jobmon, db) or one service'],
    ['restart', 'restart a release\'s stack (stop all, then start in order, waiting for health) or one service'],
  ] as const) {
    program
      .command(name)
      .description(what)
      .argument('<release>', RELEASE)
      .argument('[service]', 'db | jobmon | monitor')
      .option('--timeout <seconds>', 'limit of each step: the grace before a stop kills, the wait for health', parseSeconds, 60)
      .option('--host <host>', HOST)
      .action(action(name, (release, service) => ({ ref: release, ...(service === undefined ? {} : { service }) })));
  }
  program
    .command('creds')
    .description('the DB accounts of a deployment (from its record, else its containers) with connection strings; passwords masked')
    .argument('<release>', RELEASE)
    .option('--user <account>', 'only this account')
    .option('--show', 'print the passwords')
    .option('--host <host>', HOST)
    .action(action('creds', (release) => ({ ref: release })));
  program
    .command('undeploy')
    .description('stop and remove a release\'s containers and network; the DB volume stays unless --purge-data')
    .argument('<release>', RELEASE)
    .option('--purge-data', 'also delete the DB volume and its data (asks; dump it first)')
    .option('--yes', 'confirm --purge-data without asking (required without a terminal)')
    .option('--timeout <seconds>', 'grace of each container\'s stop before the engine kills it', parseSeconds, 60)
    .option('--host <host>', HOST)
    .action(action('undeploy', (release) => ({ ref: release })));

  program
    .command('completion')
    .description('print a shell completion script: commands, flags, and release references from the registry')
    .argument('<shell>', 'bash | zsh | fish')
    .action(action('completion', (shell) => ({ shell })));
  program
    .command('__complete', { hidden: true })
    .argument('[words...]')
    .allowUnknownOption()
    .helpOption(false)
    .action(action('__complete', (words) => ({ words })));

  addExamples(program);
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
      // Each stream's colour follows its own terminal: `jobmon-ops status 2>errors.log` keeps colour on screen only.
      const color = options.color !== false && wantsColor(process.stdout, env);
      const errorColor = options.color !== false && wantsColor(process.stderr, env);
      logger = createLogger({ color, errorColor, verbose: options.verbose === true, quiet: options.quiet === true });
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
