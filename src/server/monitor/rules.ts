/**
 * The monitor's rules as one pure function: what the database showed, the
 * episodes already open and the time in, the messages to send and the
 * episodes open afterwards out. No I/O, no clock of its own.
 */
import { disappearingDagText, failingNodesText, lostRunText } from './messages.js';
import type { ActiveRun, Observation } from './observation.js';

export type { ActiveRun, InstanceCounts, NodeCounts, Observation, StalledDag } from './observation.js';

export interface RuleSettings {
  lossThresholdMs: number;
  wfChannel: string;
  nodeChannel: string;
}

export type EpisodeKind = 'lost_run' | 'dag' | 'node';
export interface Episode {
  kind: EpisodeKind;
  subject: string;
}
/** The open episodes, as `kind:subject` keys. */
export type MonitorState = ReadonlySet<string>;

export interface Alert {
  kind: 'lost_run' | 'dag' | 'nodes';
  channel: string;
  text: string;
  /** The episodes this message opens. */
  episodes: Episode[];
  /** Set for a lost run: mark it E together with queueing the message. */
  lostRunId?: number;
}

export interface Evaluation {
  alerts: Alert[];
  /** Episodes opened without a message (a lost run's DAG, decisions.md 17). */
  silent: Episode[];
  ended: Episode[];
  nextState: Set<string>;
}

/** A failing node has more than this many instances in the window (and more than 20 % of them in E). */
export const NODE_MIN_INSTANCES = 5;
/** The window, measured back from the database's UTC_TIMESTAMP() in the repository's query. */
export const FAILURE_WINDOW_SECONDS = 3600;

export const episodeKey = (episode: Episode): string => `${episode.kind}:${episode.subject}`;
const parseKey = (key: string): Episode => {
  const at = key.indexOf(':');
  return { kind: key.slice(0, at) as EpisodeKind, subject: key.slice(at + 1) };
};

/** How long since `since`; undefined when unknown. Callers compare strictly (`> threshold`), as the original. */
const silentFor = (now: Date, since: Date | null): number | undefined => (since === null ? undefined : now.getTime() - since.getTime());

/** Lost: the DAG heartbeat (or, if later, the run's creation: a just-resumed run) is older than the threshold. */
function isLost(run: ActiveRun, now: Date, thresholdMs: number): boolean {
  if (run.dagId === null) return false; // no DAG, no heartbeat to judge by
  const times = [run.heartbeat, run.runCreated].filter((t): t is Date => t !== null).map((t) => t.getTime());
  const since = times.length === 0 ? null : new Date(Math.max(...times));
  const age = silentFor(now, since);
  return age !== undefined && age > thresholdMs;
}

/** Nodes with more than 5 recent instances and more than 20 % of them in E, among runs with at most 10 % in E. */
export function failingNodes(observed: Pick<Observation, 'runInstances' | 'recentNodeInstances'>): string[] {
  // Integer comparisons: errors/instances <= 0.1 and > 0.2 without rounding.
  const succeeding = new Set(observed.runInstances.filter((r) => r.instances > 0 && 10 * r.errors <= r.instances).map((r) => r.runId));
  const perNode = new Map<string, { instances: number; errors: number }>();
  for (const row of observed.recentNodeInstances) {
    if (row.nodename === null || !succeeding.has(row.runId)) continue;
    const sum = perNode.get(row.nodename) ?? { instances: 0, errors: 0 };
    perNode.set(row.nodename, { instances: sum.instances + row.instances, errors: sum.errors + row.errors });
  }
  return [...perNode].filter(([, c]) => c.instances > NODE_MIN_INSTANCES && 5 * c.errors > c.instances).map(([name]) => name).sort();
}

/**
 * One poll's decisions. Each episode (lost run, disappearing DAG, failing
 * node) is announced when it opens and stays quiet while it lasts; it ends
 * when a poll no longer finds it, and a later episode is announced again.
 */
export function evaluate(previous: MonitorState, observed: Observation, now: Date, settings: RuleSettings): Evaluation {
  const alerts: Alert[] = [];
  const silent: Episode[] = [];
  const found = new Set<string>();
  const isNew = (episode: Episode) => {
    const key = episodeKey(episode);
    const fresh = !previous.has(key) && !found.has(key);
    found.add(key);
    return fresh;
  };

  for (const run of [...observed.activeRuns].sort((a, b) => a.runId - b.runId)) {
    if (!isLost(run, now, settings.lossThresholdMs)) continue;
    // Its DAG will look "disappearing" once the run is E: that is this same episode.
    const cover: Episode = { kind: 'dag', subject: String(run.dagId) };
    if (isNew(cover)) silent.push(cover);
    const episode: Episode = { kind: 'lost_run', subject: String(run.runId) };
    if (!isNew(episode)) continue;
    const channel = run.slackChannel?.trim() ? run.slackChannel.trim() : settings.wfChannel;
    alerts.push({ kind: 'lost_run', channel, text: lostRunText(run), episodes: [episode], lostRunId: run.runId });
  }

  for (const dag of [...observed.stalledDags].sort((a, b) => a.dagId - b.dagId)) {
    const age = silentFor(now, dag.heartbeat ?? dag.created);
    if (age === undefined || age <= settings.lossThresholdMs) continue;
    const episode: Episode = { kind: 'dag', subject: String(dag.dagId) };
    if (!isNew(episode)) continue;
    alerts.push({ kind: 'dag', channel: settings.wfChannel, text: disappearingDagText(dag.dagId, dag.name, dag.unfinished, age), episodes: [episode] });
  }

  const newNodes = failingNodes(observed).map((node): Episode => ({ kind: 'node', subject: node })).filter(isNew);
  if (newNodes.length > 0) {
    alerts.push({ kind: 'nodes', channel: settings.nodeChannel, text: failingNodesText(newNodes.map((n) => n.subject)), episodes: newNodes });
  }

  const ended = [...previous].filter((key) => !found.has(key)).map(parseKey);
  return { alerts, silent, ended, nextState: found };
}
