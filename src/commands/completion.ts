import type { Command, Option } from 'commander';
import type { Context, GlobalOptions } from '../context.js';
import { UsageError } from '../errors.js';

/**
 * Shell completion. `jobmon-ops completion bash|zsh|fish` prints a script
 * that asks `jobmon-ops __complete <words so far>` for the candidates of the
 * word being typed: subcommands, the command's flags (its own and the global
 * ones), release references from the registry (tags, versions, labels,
 * compose projects) where a command takes a release, and the services.
 */

export const SHELLS = ['bash', 'zsh', 'fish'] as const;

const SCRIPTS: Record<(typeof SHELLS)[number], string> = {
  bash: `# jobmon-ops completion for bash: source it, or put it in /etc/bash_completion.d/
_jobmon_ops() {
  local IFS=$'\\n'
  COMPREPLY=($(jobmon-ops __complete -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
}
complete -o default -F _jobmon_ops jobmon-ops
`,
  zsh: `#compdef jobmon-ops
# jobmon-ops completion for zsh: put it in a folder of $fpath as _jobmon-ops
_jobmon_ops() {
  local -a candidates
  candidates=("\${(@f)$(jobmon-ops __complete -- "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  compadd -a candidates
}
compdef _jobmon_ops jobmon-ops
`,
  fish: `# jobmon-ops completion for fish: put it in ~/.config/fish/completions/jobmon-ops.fish
function __jobmon_ops_complete
    set -l words (commandline -opc) (commandline -ct)
    jobmon-ops __complete -- $words[2..-1] 2>/dev/null
end
complete -c jobmon-ops -f -a '(__jobmon_ops_complete)'
`,
};

export interface CompletionOptions extends GlobalOptions {
  shell: string;
}

/** `jobmon-ops completion <shell>`: the script, on stdout. */
export async function completion(options: CompletionOptions, ctx: Context): Promise<number> {
  if (!(SHELLS as readonly string[]).includes(options.shell)) {
    throw new UsageError(`no completion for shell "${options.shell}"; choose one of ${SHELLS.join(', ')}`);
  }
  ctx.logger.data(SCRIPTS[options.shell as (typeof SHELLS)[number]].trimEnd());
  return 0;
}

/** Commands whose first argument is a release reference (by their path); those whose second is a service. */
const TAKES_RELEASE = new Set(['deploy', 'dump', 'restore', 'status', 'logs', 'start', 'stop', 'restart', 'creds', 'undeploy', 'ports show']);
const TAKES_SERVICE = new Set(['logs', 'start', 'stop', 'restart']);
const SERVICES = ['db', 'jobmon', 'monitor'];

const flagsOf = (options: readonly Option[]) => options.filter((o) => !o.hidden).flatMap((o) => [o.long, o.short]).filter((f): f is string => f !== undefined);
/** A flag written without `=value` whose value is the next word. */
const takesValue = (options: readonly Option[], word: string) => !word.includes('=') && options.some((o) => (o.long === word || o.short === word) && (o.required || o.optional));
const pathOf = (command: Command) => (command.parent?.parent ? `${command.parent.name()} ${command.name()}` : command.name());

/**
 * The candidates for the last of `words` (the word being typed, maybe
 * empty), given the words before it. `releases` is asked only when a
 * release can come next.
 */
export async function completeWords(program: Command, words: string[], releases: () => Promise<string[]>): Promise<string[]> {
  const current = words.at(-1) ?? '';
  let command = program;
  const positional: string[] = [];
  const before = words.slice(0, -1);
  for (let i = 0; i < before.length; i++) {
    const word = before[i]!;
    if (word.startsWith('-')) {
      if (takesValue([...command.options, ...program.options], word)) i++;
      continue;
    }
    const sub = positional.length === 0 ? command.commands.find((c) => c.name() === word || c.aliases().includes(word)) : undefined;
    if (sub) command = sub;
    else positional.push(word);
  }
  const path = pathOf(command);
  let candidates: string[] = [];
  if (current.startsWith('-')) {
    candidates = [...flagsOf(command.options), ...(command === program ? [] : flagsOf(program.options)), '--help'];
  } else if (command.commands.length > 0) {
    candidates = command.commands.filter((c) => !c.name().startsWith('__')).map((c) => c.name());
  } else if (path === 'completion' && positional.length === 0) {
    candidates = [...SHELLS];
  } else if (positional.length === 0 && TAKES_RELEASE.has(path)) {
    candidates = await releases();
  } else if (positional.length === 1 && TAKES_SERVICE.has(path)) {
    candidates = SERVICES;
  }
  return [...new Set(candidates)].filter((c) => c.startsWith(current)).sort();
}

export interface CompleteOptions extends GlobalOptions {
  words?: string[];
}

/** `jobmon-ops __complete <words...>`: the candidates, one per line (what the shell scripts read). */
export async function complete(options: CompleteOptions, ctx: Context): Promise<number> {
  const [{ createProgram }, { loadRegistry }, { allReleases, projectName, versionOf }] = await Promise.all([
    import('../cli.js'),
    import('../registry/store.js'),
    import('../registry/release.js'),
  ]);
  const releases = async () => {
    try {
      const { registry } = await loadRegistry({ cwd: ctx.cwd, explicit: options.registry, env: ctx.env });
      return allReleases(registry).flatMap(({ release }) => {
        const version = versionOf(release.tag);
        return [release.label, ...(release.tag ? [release.tag] : []), ...(version ? [projectName(version)] : [])];
      });
    } catch {
      return []; // no registry here: nothing to offer
    }
  };
  const words = options.words?.length ? options.words : [''];
  for (const candidate of await completeWords(createProgram(async () => undefined), words, releases)) ctx.logger.data(candidate);
  return 0;
}
