import type { Command } from 'commander';

/** A few typical calls per command, shown at the end of its --help (`ports bump` is keyed by its full name). */
export const EXAMPLES: Record<string, string[]> = {
  'jobmon-ops': ['jobmon-ops ports list', 'jobmon-ops deploy release-0.8.7 --host jobmon-docker-cont-p01', 'jobmon-ops status', 'jobmon-ops completion bash > /etc/bash_completion.d/jobmon-ops'],
  'ports list': ['jobmon-ops ports list', 'jobmon-ops ports list --host jobmon-docker-cont-p01 --json'],
  'ports show': ['jobmon-ops ports show release-0.8.7', 'jobmon-ops ports show http.11 --json'],
  'ports bump': ['jobmon-ops ports bump release-0.8.8 --dry-run', 'jobmon-ops ports bump release-0.8.8', 'jobmon-ops ports bump release-0.8.9 --client-only'],
  'ports check': ['jobmon-ops ports check', 'jobmon-ops ports check --dir ../jobmon --json'],
  'ports render': ['jobmon-ops ports render --format markdown > docs/ports.md'],
  'ports import': ['jobmon-ops ports import services.rst --dry-run', 'jobmon-ops ports import services.rst'],
  deploy: [
    'jobmon-ops deploy release-0.8.7 --dry-run',
    'jobmon-ops deploy release-0.8.7 --host jobmon-docker-cont-p01',
    'jobmon-ops deploy 0.8.7 --redeploy --yes --slack-token-file ~/.slack-token',
  ],
  'images bootstrap': ['jobmon-ops images bootstrap', 'jobmon-ops images bootstrap --host jobmon-docker-cont-p01 --force'],
  'images list': ['jobmon-ops images list', 'jobmon-ops images list --host jobmon-docker-cont-p01 --json'],
  dump: ['jobmon-ops dump release-0.8.7', 'jobmon-ops dump release-0.8.7 --out backup.sql.gz', 'jobmon-ops dump 0.8.7 --in-container --force'],
  restore: ['jobmon-ops restore release-0.8.8 backup.sql', 'jobmon-ops restore 0.8.8 backup.sql.gz --yes --force'],
  status: ['jobmon-ops status', 'jobmon-ops status release-0.8.7', 'jobmon-ops ps --host jobmon-docker-cont-p01 --json'],
  logs: ['jobmon-ops logs release-0.8.7', 'jobmon-ops logs 0.8.7 monitor --tail 50', 'jobmon-ops logs http.11 --follow --since 10m'],
  start: ['jobmon-ops start release-0.8.7', 'jobmon-ops start 0.8.7 jobmon --timeout 120'],
  stop: ['jobmon-ops stop release-0.8.7', 'jobmon-ops stop 0.8.7 monitor'],
  restart: ['jobmon-ops restart release-0.8.7', 'jobmon-ops restart 0.8.7 jobmon'],
  creds: ['jobmon-ops creds release-0.8.7', 'jobmon-ops creds http.11 --user read_only --show'],
  undeploy: ['jobmon-ops undeploy release-0.8.6', 'jobmon-ops undeploy 0.8.6 --purge-data --yes'],
  completion: ['jobmon-ops completion bash > /etc/bash_completion.d/jobmon-ops', 'jobmon-ops completion zsh > "${fpath[1]}/_jobmon-ops"', 'jobmon-ops completion fish > ~/.config/fish/completions/jobmon-ops.fish'],
};

/** `ports bump` for a subcommand of `ports`, the bare name otherwise. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.length === 1 ? names[0]! : names.slice(1).join(' ');
}

/** Adds each command's examples to the end of its help, for the whole tree. */
export function addExamples(command: Command): void {
  const examples = EXAMPLES[commandPath(command)];
  if (examples) command.addHelpText('after', `\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}`);
  for (const sub of command.commands) addExamples(sub);
}
