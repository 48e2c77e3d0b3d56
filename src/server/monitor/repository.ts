import { num, orNull, select, utc, write, type MonitorDb } from './db.js';
import type { Observation } from './observation.js';
import { FAILURE_WINDOW_SECONDS, type Episode, type Evaluation, type MonitorState } from './rules.js';

/**
 * All of the monitor's SQL on the Jobmon tables and its own. Every time is
 * the database's UTC_TIMESTAMP(), the clock that stamped the heartbeats.
 */

/** Reads everything the rules need, and the database's time. */
export async function observe(db: MonitorDb): Promise<{ now: Date; observation: Observation }> {
  const [clock] = await select<{ now: string }>(db, 'SELECT UTC_TIMESTAMP() AS now');
  const runs = await select<Record<string, unknown>>(
    db,
    `SELECT r.id, r.workflow_id, w.workflow_args, r.hostname, r.pid, r.slack_channel, r.created_date,
            d.dag_id, d.name AS dag_name, d.heartbeat_date
     FROM workflow_run r LEFT JOIN workflow w ON w.id = r.workflow_id LEFT JOIN task_dag d ON d.dag_id = w.dag_id
     WHERE r.status = 'R'`,
  );
  const dags = await select<Record<string, unknown>>(
    db,
    `SELECT d.dag_id, d.name, d.heartbeat_date, d.created_date, COUNT(*) AS unfinished
     FROM job j JOIN task_dag d ON d.dag_id = j.dag_id
     WHERE j.status IN ('Q', 'I', 'R') AND NOT EXISTS (
       SELECT 1 FROM workflow w JOIN workflow_run r ON r.workflow_id = w.id WHERE w.dag_id = d.dag_id AND r.status = 'R')
     GROUP BY d.dag_id, d.name, d.heartbeat_date, d.created_date`,
  );
  const perRun = await select<Record<string, unknown>>(
    db,
    `SELECT ji.workflow_run_id AS run_id, COUNT(*) AS instances, SUM(ji.status = 'E') AS errors
     FROM job_instance ji JOIN workflow_run r ON r.id = ji.workflow_run_id
     WHERE r.status = 'R' GROUP BY ji.workflow_run_id`,
  );
  const perNode = await select<Record<string, unknown>>(
    db,
    `SELECT ji.workflow_run_id AS run_id, ji.nodename, COUNT(*) AS instances, SUM(ji.status = 'E') AS errors
     FROM job_instance ji JOIN workflow_run r ON r.id = ji.workflow_run_id
     WHERE r.status = 'R' AND ji.status_date > UTC_TIMESTAMP() - INTERVAL ? SECOND
     GROUP BY ji.workflow_run_id, ji.nodename`,
    [FAILURE_WINDOW_SECONDS],
  );
  const observation: Observation = {
    activeRuns: runs.map((r) => ({
      runId: num(r.id),
      workflowId: orNull(r.workflow_id),
      workflowArgs: (r.workflow_args as string | null) ?? null,
      hostname: (r.hostname as string | null) ?? null,
      pid: orNull(r.pid),
      slackChannel: (r.slack_channel as string | null) ?? null,
      runCreated: utc(r.created_date as string | null),
      dagId: orNull(r.dag_id),
      dagName: (r.dag_name as string | null) ?? null,
      heartbeat: utc(r.heartbeat_date as string | null),
    })),
    stalledDags: dags.map((d) => ({
      dagId: num(d.dag_id),
      name: (d.name as string | null) ?? null,
      heartbeat: utc(d.heartbeat_date as string | null),
      created: utc(d.created_date as string | null),
      unfinished: num(d.unfinished),
    })),
    runInstances: perRun.map((r) => ({ runId: num(r.run_id), instances: num(r.instances), errors: num(r.errors) })),
    recentNodeInstances: perNode.map((r) => ({
      runId: num(r.run_id),
      nodename: (r.nodename as string | null) ?? null,
      instances: num(r.instances),
      errors: num(r.errors),
    })),
  };
  return { now: utc(clock!.now)!, observation };
}

/** The open episodes: the rules' previous state, which survives restarts. */
export async function openEpisodes(db: MonitorDb): Promise<MonitorState> {
  const rows = await select<{ kind: string; subject: string }>(db, 'SELECT kind, subject FROM monitor_episode WHERE ended_at IS NULL');
  return new Set(rows.map((row) => `${row.kind}:${row.subject}`));
}

async function openEpisode(db: MonitorDb, episode: Episode, notificationId: number | null): Promise<void> {
  await write(db, 'INSERT INTO monitor_episode (kind, subject, started_at, notification_id) VALUES (?, ?, UTC_TIMESTAMP(), ?)', [
    episode.kind,
    episode.subject,
    notificationId,
  ]);
}

/**
 * Stores one poll's decisions in one transaction: each lost run is marked E
 * together with queueing its message, so a crash can neither announce a run
 * that was not marked nor mark one that is never announced. Returns the
 * number of messages queued.
 */
export async function applyEvaluation(db: MonitorDb, evaluation: Evaluation): Promise<number> {
  let queued = 0;
  await db.beginTransaction();
  try {
    for (const alert of evaluation.alerts) {
      if (alert.lostRunId !== undefined) {
        const marked = await write(db, "UPDATE workflow_run SET status = 'E', status_date = UTC_TIMESTAMP() WHERE id = ? AND status = 'R'", [
          alert.lostRunId,
        ]);
        // The run ended on its own since we looked: nothing to announce.
        if (marked.affectedRows === 0) {
          for (const episode of alert.episodes) await openEpisode(db, episode, null);
          continue;
        }
      }
      const inserted = await write(
        db,
        'INSERT INTO monitor_notification (kind, channel, text, created_at, attempts) VALUES (?, ?, ?, UTC_TIMESTAMP(), 0)',
        [alert.kind, alert.channel, alert.text],
      );
      for (const episode of alert.episodes) await openEpisode(db, episode, inserted.insertId);
      queued += 1;
    }
    for (const episode of evaluation.silent) await openEpisode(db, episode, null);
    for (const episode of evaluation.ended) {
      await write(db, 'UPDATE monitor_episode SET ended_at = UTC_TIMESTAMP() WHERE kind = ? AND subject = ? AND ended_at IS NULL', [
        episode.kind,
        episode.subject,
      ]);
    }
    await db.commit();
  } catch (error) {
    await db.rollback().catch(() => undefined);
    throw error;
  }
  return queued;
}
