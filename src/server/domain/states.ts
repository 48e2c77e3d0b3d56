/** Status codes and labels, exactly as the 0.8 status tables seed them. */
export const JOB_STATUS = {
  G: 'REGISTERED',
  Q: 'QUEUED_FOR_INSTANTIATION',
  I: 'INSTANTIATED',
  R: 'RUNNING',
  E: 'ERROR_RECOVERABLE',
  F: 'ERROR_FATAL',
  D: 'DONE',
} as const;

export const JOB_INSTANCE_STATUS = {
  I: 'INSTANTIATED',
  B: 'SUBMITTED_TO_BATCH_EXECUTOR',
  R: 'RUNNING',
  E: 'ERROR',
  D: 'DONE',
} as const;

export const WORKFLOW_STATUS = { C: 'CREATED', R: 'RUNNING', S: 'STOPPED', E: 'ERROR', D: 'DONE' } as const;
export const WORKFLOW_RUN_STATUS = { R: 'RUNNING', S: 'STOPPED', E: 'ERROR', D: 'DONE' } as const;

export type JobStatus = keyof typeof JOB_STATUS;
export type JobInstanceStatus = keyof typeof JOB_INSTANCE_STATUS;

/** The 8 legal job transitions (E is passed through, never stored). */
const JOB_TRANSITIONS: ReadonlySet<string> = new Set(['G>Q', 'Q>I', 'I>R', 'I>E', 'R>D', 'R>E', 'E>F', 'E>Q']);

/** The 6 legal job-instance transitions. */
const JOB_INSTANCE_TRANSITIONS: ReadonlySet<string> = new Set(['I>R', 'I>B', 'B>R', 'B>E', 'R>E', 'R>D']);

export function isLegalJobTransition(from: string, to: string): boolean {
  return JOB_TRANSITIONS.has(`${from}>${to}`);
}

export function isLegalJobInstanceTransition(from: string, to: string): boolean {
  return JOB_INSTANCE_TRANSITIONS.has(`${from}>${to}`);
}

const sourcesOf = (transitions: ReadonlySet<string>, to: string) =>
  [...transitions].filter((move) => move.endsWith(`>${to}`)).map((move) => move.slice(0, move.indexOf('>')));

/** The stored statuses a job may legally move to `to` from (for a conditional UPDATE; E is never stored). */
export function jobSourcesOf(to: string): string[] {
  return sourcesOf(JOB_TRANSITIONS, to).filter((from) => from !== 'E');
}

/** The statuses a job instance may legally move to `to` from. */
export function jobInstanceSourcesOf(to: string): string[] {
  return sourcesOf(JOB_INSTANCE_TRANSITIONS, to);
}

/**
 * Where a job lands after an error: E, then at once F when its attempts are
 * used up, else back to Q for another instance. E is never persisted.
 */
export function afterError(numAttempts: number, maxAttempts: number): 'F' | 'Q' {
  return numAttempts >= maxAttempts ? 'F' : 'Q';
}

/** What a job-instance transition does to its job (`undefined`: nothing). */
export function jobCascade(instanceTo: JobInstanceStatus): 'R' | 'D' | 'E' | undefined {
  if (instanceTo === 'R') return 'R';
  if (instanceTo === 'D') return 'D';
  if (instanceTo === 'E') return 'E';
  return undefined;
}

/** The job statuses `publishMessage` names; any other status gives "". */
export const PUBLISHED_JOB_STATUSES: readonly string[] = ['D', 'F'];

/**
 * The JSM's "publish message", a leftover of the ZMQ era that the client still
 * reads: `"<dag_id> [<job_id>, \"D\"]"` when the job ended in D or F, else "".
 * Python's json.dumps puts a space after the comma.
 */
export function publishMessage(dagId: number, jobId: number, jobStatus: string): string {
  return PUBLISHED_JOB_STATUSES.includes(jobStatus) ? `${dagId} [${jobId}, ${JSON.stringify(jobStatus)}]` : '';
}

