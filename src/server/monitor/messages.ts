/**
 * The monitor's message texts, kept exactly as the original wrote them
 * (spec §5) or as decisions.md 17-18 fix them, except that client-chosen text
 * is escaped for Slack.
 */

/**
 * Text a client chose (DAG, workflow, host and node names) as Slack's
 * formatting rules ask: `&`, `<` and `>` escaped, so a name such as
 * `<!channel>` or `<https://x|y>` shows as typed instead of pinging everyone
 * or becoming a link. 0.8 sent names raw.
 */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Python's str() of an optional value, as the original's f-string printed it, escaped for Slack. */
const py = (value: string | number | null | undefined): string => (value === null || value === undefined ? 'None' : escapeSlack(String(value)));

export interface LostRunFacts {
  runId: number;
  hostname: string | null;
  pid: number | null;
  workflowId: number | null;
  workflowArgs: string | null;
  dagId: number | null;
  dagName: string | null;
}

/** The original's multi-line lost-run text: 4-space indents, `\n` separators. */
export function lostRunText(run: LostRunFacts): string {
  return [
    `Lost contact with Workflow Run #${run.runId}:`,
    `    running on host: ${py(run.hostname)}`,
    `    PID: ${py(run.pid)}`,
    `    workflow_id: ${py(run.workflowId)}`,
    `    workflow_args: ${py(run.workflowArgs)}`,
    `    task_dag id: ${py(run.dagId)}`,
    `    task_dag name: ${py(run.dagName)}`,
  ].join('\n');
}

/**
 * A duration for people, rounded down to its two largest units:
 * `45s`, `7m`, `1h`, `1h 5m`, `2d 3h`.
 */
export function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  const pair = (big: number, bigUnit: string, small: number, smallUnit: string) =>
    small === 0 ? `${big}${bigUnit}` : `${big}${bigUnit} ${small}${smallUnit}`;
  if (hours < 24) return pair(hours, 'h', minutes % 60, 'm');
  return pair(Math.floor(hours / 24), 'd', hours % 24, 'h');
}

/** decisions.md 17. */
export function disappearingDagText(dagId: number, name: string | null, unfinished: number, silentMs: number): string {
  return `DAG #${dagId} "${escapeSlack(name ?? '')}" has ${unfinished} unfinished jobs, no heartbeat for ${formatAge(silentMs)} and no running workflow run`;
}

/** decisions.md 18: node names sorted, comma-separated. */
export function failingNodesText(nodes: readonly string[]): string {
  return `Potentially failing nodes found: ${[...nodes].sort().map(escapeSlack).join(', ')}`;
}
