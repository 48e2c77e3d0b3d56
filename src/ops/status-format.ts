import { alignColumns, formatPorts, humanDuration, uptime } from './format.js';
import type { MonitorView } from './health.js';
import type { StackReport, StatusReport } from './status.js';
import { jsonOutput } from '../util/json-output.js';

/** The monitor's line: its last completed poll, and whether that is stale or reported an error. */
export function formatMonitor(monitor: MonitorView | 'unknown'): string {
  if (monitor === 'unknown') return 'monitor last poll: unknown (the web service did not answer GET /health)';
  if (!monitor.lastPollAt) return 'monitor last poll: none yet';
  const age = monitor.secondsSinceLastPoll === null ? '' : ` (${humanDuration(monitor.secondsSinceLastPoll * 1000)} ago)`;
  const stale = monitor.stale ? '; STALE: the monitor has missed polls' : '';
  const error = monitor.lastError ? `; last error: ${monitor.lastError}` : '';
  return `monitor last poll: ${monitor.lastPollAt}${age}${stale}${error}`;
}

function formatStack(stack: StackReport, now: number): string[] {
  const { release } = stack;
  const lock = stack.lock ? ` (a ${stack.lock.command ?? 'deploy or undeploy'} is under way: lock held by ${stack.lock.holder} for ${stack.lock.age})` : '';
  const lines = [`${release.name} (${release.label}) on ${release.host}, project ${release.project}: ${stack.state}${lock}`, `  ${formatMonitor(stack.monitor)}`];
  if (stack.abandoned) {
    const a = stack.abandoned;
    lines.push(`  last deploy ABANDONED: the run of ${a.deployedAt} by ${a.deployUser} was killed before it finished (found ${a.noticedAt}); jobmon-ops deploy ${release.name} --redeploy makes a new one; record ${a.record}`);
  }
  const rows = stack.containers.map((c) => [
    c.service ?? '?', c.name, c.state, c.health ?? '-', uptime(c, now), formatPorts(c.ports) || '-', c.image, c.version ?? '-',
  ]);
  for (const service of stack.missing) rows.push([service, '-', 'missing', '-', '-', '-', '-', '-']);
  lines.push(...alignColumns([['SERVICE', 'CONTAINER', 'STATE', 'HEALTH', 'UPTIME', 'PORTS', 'IMAGE', 'VERSION'], ...rows], '  '));
  if (stack.missing.length > 0) {
    lines.push(`  ${stack.missing.join(', ')} missing (removed by hand?); jobmon-ops deploy ${release.name} --redeploy recreates the stack, keeping its data`);
  }
  return lines;
}

/** `status` as text: each stack, then releases not running, then containers of no registered release. */
export function formatStatus(report: StatusReport, now = Date.now()): string {
  const lines: string[] = [];
  for (const stack of report.stacks) lines.push(...formatStack(stack, now), '');
  if (report.stacks.length === 0) {
    const hint = report.hosts.length === 0 ? '; pass --host H to list the releases registered on H' : '';
    lines.push(`no registered Jobmon stack on ${report.engine}${hint}`);
  }
  if (report.notRunning.length > 0) {
    lines.push(`registered, not running: ${report.notRunning.map((r) => `${r.name} (${r.label}) on ${r.host}`).join(', ')}`);
  }
  if (report.unregistered.length > 0) {
    lines.push('Jobmon-looking containers of no registered release:');
    lines.push(...alignColumns(report.unregistered.map((c) => [c.name, c.project ?? '-', c.state, uptime(c, now), formatPorts(c.ports) || '-', c.image]), '  '));
  }
  while (lines.at(-1) === '') lines.pop();
  return lines.join('\n');
}

/** `status --json`: the report, with each container's uptime spelled out too. */
export function statusToJson(report: StatusReport, now = Date.now()): string {
  const withUptime = (c: StackReport['containers'][number]) => ({ ...c, uptime: uptime(c, now) });
  // The brief also under the shared release shape's key (src/registry/release-json.ts): a registered, versioned release's name is its tag.
  const brief = (r: StackReport['release']) => ({ ...r, tag: r.name });
  return jsonOutput({
    engine: report.engine,
    hosts: report.hosts,
    stacks: report.stacks.map((s) => ({ ...s, release: brief(s.release), containers: s.containers.map(withUptime) })),
    notRunning: report.notRunning.map(brief),
    unregistered: report.unregistered.map(withUptime),
  });
}
