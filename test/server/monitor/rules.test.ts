import { describe, expect, it } from 'vitest';
import { evaluate, failingNodes, type ActiveRun, type Observation, type StalledDag } from '../../../src/server/monitor/rules.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const MIN = 60_000;
const SETTINGS = { lossThresholdMs: 5 * MIN, wfChannel: 'jobmon-alerts', nodeChannel: 'suspicious_nodes' };

const run = (over: Partial<ActiveRun> = {}): ActiveRun => ({
  runId: 7, workflowId: 3, workflowArgs: 'my-args', hostname: 'cluster-node-1', pid: 4242, slackChannel: 'team-channel',
  runCreated: ago(60 * MIN), dagId: 11, dagName: 'dag-name', heartbeat: ago(10 * MIN), ...over,
});
const dag = (over: Partial<StalledDag> = {}): StalledDag => ({ dagId: 21, name: 'stalled', heartbeat: ago(7 * MIN), created: ago(90 * MIN), unfinished: 4, ...over });
const observed = (over: Partial<Observation> = {}): Observation => ({ activeRuns: [], stalledDags: [], runInstances: [], recentNodeInstances: [], ...over });
const none = new Set<string>();

describe('lost workflow runs', () => {
  it('announces a run whose DAG heartbeat is older than the threshold, with the exact text, to its own channel', () => {
    const result = evaluate(none, observed({ activeRuns: [run()] }), NOW, SETTINGS);
    expect(result.alerts).toEqual([
      {
        kind: 'lost_run',
        channel: 'team-channel',
        text:
          'Lost contact with Workflow Run #7:\n    running on host: cluster-node-1\n    PID: 4242\n    workflow_id: 3\n' +
          '    workflow_args: my-args\n    task_dag id: 11\n    task_dag name: dag-name',
        episodes: [{ kind: 'lost_run', subject: '7' }],
        lostRunId: 7,
      },
    ]);
    // The run's DAG is covered by this episode (decisions.md 17), silently.
    expect(result.silent).toEqual([{ kind: 'dag', subject: '11' }]);
    expect([...result.nextState].sort()).toEqual(['dag:11', 'lost_run:7']);
  });

  it('is strictly greater: exactly the threshold is not lost, one second more is', () => {
    expect(evaluate(none, observed({ activeRuns: [run({ heartbeat: ago(5 * MIN) })] }), NOW, SETTINGS).alerts).toEqual([]);
    expect(evaluate(none, observed({ activeRuns: [run({ heartbeat: ago(5 * MIN + 1000) })] }), NOW, SETTINGS).alerts).toHaveLength(1);
  });

  it('falls back to the default channel for an empty or missing one, and prints None like the original', () => {
    const [alert] = evaluate(none, observed({ activeRuns: [run({ slackChannel: ' ', pid: null, workflowArgs: null })] }), NOW, SETTINGS).alerts;
    expect(alert?.channel).toBe('jobmon-alerts');
    expect(alert?.text).toContain('\n    PID: None\n');
    expect(alert?.text).toContain('\n    workflow_args: None\n');
    expect(evaluate(none, observed({ activeRuns: [run({ slackChannel: null })] }), NOW, SETTINGS).alerts[0]?.channel).toBe('jobmon-alerts');
  });

  it('judges a just-resumed run by its creation, and skips runs it cannot judge instead of failing', () => {
    const resumed = run({ heartbeat: ago(60 * MIN), runCreated: ago(MIN) });
    const noDag = run({ runId: 8, dagId: null, heartbeat: null });
    const neverBeat = run({ runId: 9, heartbeat: null, runCreated: null });
    expect(evaluate(none, observed({ activeRuns: [resumed, noDag, neverBeat] }), NOW, SETTINGS).alerts).toEqual([]);
    const silentSinceCreation = run({ heartbeat: null, runCreated: ago(6 * MIN) });
    expect(evaluate(none, observed({ activeRuns: [silentSinceCreation] }), NOW, SETTINGS).alerts).toHaveLength(1);
  });

  it('says nothing while the episode is open, and ends it once the run is no longer found', () => {
    const open = new Set(['lost_run:7', 'dag:11']);
    expect(evaluate(open, observed({ activeRuns: [run()] }), NOW, SETTINGS)).toMatchObject({ alerts: [], silent: [], ended: [] });
    // Next poll: the run is E now; its DAG (unfinished jobs, no running run) is the same episode.
    const next = evaluate(open, observed({ stalledDags: [dag({ dagId: 11 })] }), NOW, SETTINGS);
    expect(next.alerts).toEqual([]);
    expect(next.ended).toEqual([{ kind: 'lost_run', subject: '7' }]);
    expect([...next.nextState]).toEqual(['dag:11']);
  });
});

describe('disappearing DAGs', () => {
  it('announces a DAG with unfinished jobs, a silent heartbeat and no running run, once, to the workflow channel', () => {
    const first = evaluate(none, observed({ stalledDags: [dag()] }), NOW, SETTINGS);
    expect(first.alerts).toEqual([
      {
        kind: 'dag',
        channel: 'jobmon-alerts',
        text: 'DAG #21 "stalled" has 4 unfinished jobs, no heartbeat for 7m and no running workflow run',
        episodes: [{ kind: 'dag', subject: '21' }],
      },
    ]);
    expect(evaluate(first.nextState, observed({ stalledDags: [dag()] }), NOW, SETTINGS).alerts).toEqual([]);
  });

  it('uses the threshold strictly and the creation time when there never was a heartbeat', () => {
    expect(evaluate(none, observed({ stalledDags: [dag({ heartbeat: ago(5 * MIN) })] }), NOW, SETTINGS).alerts).toEqual([]);
    const never = evaluate(none, observed({ stalledDags: [dag({ heartbeat: null, created: ago(65 * MIN) })] }), NOW, SETTINGS);
    expect(never.alerts[0]?.text).toContain('no heartbeat for 1h 5m and');
    expect(evaluate(none, observed({ stalledDags: [dag({ heartbeat: null, created: null })] }), NOW, SETTINGS).alerts).toEqual([]);
  });

  it('announces a DAG again in a later episode, after it recovered', () => {
    const first = evaluate(none, observed({ stalledDags: [dag()] }), NOW, SETTINGS);
    const recovered = evaluate(first.nextState, observed(), NOW, SETTINGS);
    expect(recovered.ended).toEqual([{ kind: 'dag', subject: '21' }]);
    expect(evaluate(recovered.nextState, observed({ stalledDags: [dag()] }), NOW, SETTINGS).alerts).toHaveLength(1);
  });
});

describe('failing nodes', () => {
  const healthyRun = { runId: 1, instances: 100, errors: 10 }; // exactly 10 %: still succeeding
  const node = (nodename: string | null, instances: number, errors: number, runId = 1) => ({ runId, nodename, instances, errors });

  it('needs more than 5 instances: exactly 5 all failing is not enough, 6 is', () => {
    expect(failingNodes({ runInstances: [healthyRun], recentNodeInstances: [node('node-a', 5, 5)] })).toEqual([]);
    expect(failingNodes({ runInstances: [healthyRun], recentNodeInstances: [node('node-a', 6, 2)] })).toEqual(['node-a']);
  });

  it('needs more than 20 % in error: exactly 20 % is not failing', () => {
    expect(failingNodes({ runInstances: [healthyRun], recentNodeInstances: [node('node-a', 10, 2)] })).toEqual([]);
    expect(failingNodes({ runInstances: [healthyRun], recentNodeInstances: [node('node-a', 10, 3)] })).toEqual(['node-a']);
  });

  it('counts only runs with at most 10 % of their instances in error, summing a node over them', () => {
    const failingRun = { runId: 2, instances: 100, errors: 11 };
    const instances = [node('node-a', 3, 3, 1), node('node-a', 3, 0, 1), node('node-b', 10, 10, 2), node('node-c', 4, 2, 1), node('node-c', 2, 0, 3)];
    expect(failingNodes({ runInstances: [healthyRun, failingRun, { runId: 3, instances: 50, errors: 0 }], recentNodeInstances: instances })).toEqual([
      'node-a',
      'node-c',
    ]);
    // A run without instances is not "succeeding", and a NULL nodename is no node.
    expect(failingNodes({ runInstances: [{ runId: 1, instances: 0, errors: 0 }], recentNodeInstances: [node('x', 9, 9)] })).toEqual([]);
    expect(failingNodes({ runInstances: [healthyRun], recentNodeInstances: [node(null, 9, 9)] })).toEqual([]);
  });

  it('announces new nodes once, in one sorted message to the node channel; an episode ends when the node is not found', () => {
    const obs = (names: string[]) => observed({ runInstances: [healthyRun], recentNodeInstances: names.map((n) => node(n, 6, 6)) });
    const first = evaluate(none, obs(['node-b', 'node-a']), NOW, SETTINGS);
    expect(first.alerts).toEqual([
      {
        kind: 'nodes',
        channel: 'suspicious_nodes',
        text: 'Potentially failing nodes found: node-a, node-b',
        episodes: [{ kind: 'node', subject: 'node-a' }, { kind: 'node', subject: 'node-b' }],
      },
    ]);
    const second = evaluate(first.nextState, obs(['node-a', 'node-b', 'node-c']), NOW, SETTINGS);
    expect(second.alerts.map((a) => a.text)).toEqual(['Potentially failing nodes found: node-c']);
    const third = evaluate(second.nextState, obs(['node-b', 'node-c']), NOW, SETTINGS);
    expect(third).toMatchObject({ alerts: [], ended: [{ kind: 'node', subject: 'node-a' }] });
    expect(evaluate(third.nextState, obs(['node-a', 'node-b', 'node-c']), NOW, SETTINGS).alerts.map((a) => a.text)).toEqual([
      'Potentially failing nodes found: node-a',
    ]);
  });
});
