/** What one poll reads from the database: the input of the rules (rules.ts). */

/** A workflow run in status R with its DAG's heartbeat. */
export interface ActiveRun {
  runId: number;
  workflowId: number | null;
  workflowArgs: string | null;
  hostname: string | null;
  pid: number | null;
  slackChannel: string | null;
  runCreated: Date | null;
  dagId: number | null;
  dagName: string | null;
  heartbeat: Date | null;
}

/** A DAG with jobs in Q, I or R and no workflow run in R. */
export interface StalledDag {
  dagId: number;
  name: string | null;
  heartbeat: Date | null;
  created: Date | null;
  unfinished: number;
}

export interface InstanceCounts {
  runId: number;
  instances: number;
  errors: number;
}

export interface NodeCounts extends InstanceCounts {
  nodename: string | null;
}

export interface Observation {
  activeRuns: readonly ActiveRun[];
  stalledDags: readonly StalledDag[];
  /** Job instances of each active run, all time. */
  runInstances: readonly InstanceCounts[];
  /** Job instances of each active run per node, within FAILURE_WINDOW_SECONDS. */
  recentNodeInstances: readonly NodeCounts[];
}
