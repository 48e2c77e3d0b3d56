import type { FastifyBaseLogger } from 'fastify';
import { illegalTransition, notFound } from '../http/errors.js';
import type { Db } from '../repositories/db.js';
import {
  findInstanceOwner,
  insertInstance,
  lockJobAndInstance,
  moveInstance,
  moveInstanceAndJobIf,
  type InstanceColumns,
  type LockedInstance,
} from '../repositories/job-instances.js';
import { lockJob, lockJobWithCurrentRun, moveJob, type LockedJob } from '../repositories/jobs.js';
import {
  afterError,
  isLegalJobInstanceTransition,
  isLegalJobTransition,
  jobCascade,
  jobInstanceSourcesOf,
  jobSourcesOf,
  publishMessage,
  PUBLISHED_JOB_STATUSES,
  type JobInstanceStatus,
} from './states.js';

/**
 * The job life cycle inside one transaction: lock the job row, then the
 * instance row, decide, write. Every check runs before the first write, so
 * an illegal move leaves no trace (the original committed half of it).
 *
 * The common, legal instance moves also have a `try*` form: one conditional
 * UPDATE in autocommit (its own transaction) that makes exactly the writes
 * the locked form would make, or changes nothing when a row is not in a
 * legal status. Then the caller runs the locked form in a transaction, which
 * finds the tolerated repeat, the 409 or the 404 (and moves after all if
 * another request changed the row in between).
 */

/** Locks a job that must exist (404 otherwise). */
export async function lockExistingJob(db: Db, jobId: number): Promise<LockedJob> {
  const job = await lockJob(db, jobId);
  if (!job) throw notFound('job', jobId);
  return job;
}

/** Locks an instance and its job, in that order: job first, so callers never deadlock. */
export async function lockInstanceAndJob(db: Db, instanceId: number): Promise<{ job: LockedJob; instance: LockedInstance }> {
  const owner = await findInstanceOwner(db, instanceId);
  if (owner === undefined) throw notFound('job_instance', instanceId);
  const locked = await lockJobAndInstance(db, owner.job_id, instanceId);
  if (!locked) throw notFound('job_instance', instanceId);
  return locked;
}

/** `/job/<id>/queue`: G->Q; already Q is tolerated; anything else is 409. */
export async function queueJob(db: Db, jobId: number, log: FastifyBaseLogger): Promise<void> {
  const job = await lockExistingJob(db, jobId);
  if (job.status === 'Q') {
    log.warn({ job_id: jobId }, 'job is already Q; not moving it');
    return;
  }
  if (!isLegalJobTransition(job.status, 'Q')) throw illegalTransition('job', jobId, job.status, 'Q');
  await moveJob(db, jobId, 'Q');
}

/**
 * POST /job_instance: a new instance and the job's Q->I move (one more
 * attempt), together. A job already I gets a second instance and keeps its
 * attempt count, as the original tolerated; any other state is 409 and no
 * instance is written.
 */
export async function instantiateJob(db: Db, jobId: number, executorType: string | null, log: FastifyBaseLogger): Promise<number> {
  const job = await lockJobWithCurrentRun(db, jobId);
  if (!job) throw notFound('job', jobId);
  const alreadyInstantiated = job.status === 'I';
  if (!alreadyInstantiated && !isLegalJobTransition(job.status, 'I')) throw illegalTransition('job', jobId, job.status, 'I');
  const instanceId = await insertInstance(db, { job_id: jobId, dag_id: job.dag_id, workflow_run_id: job.run_id, executor_type: executorType });
  if (alreadyInstantiated) {
    log.warn({ job_id: jobId, job_instance_id: instanceId }, 'job is already I; second instance created, attempts unchanged');
  } else {
    await moveJob(db, jobId, 'I', true);
  }
  return instanceId;
}

export interface InstanceMove {
  job: LockedJob;
  instance: LockedInstance;
  /** The publish message for the job's status after the move. */
  message: string;
}

/**
 * Moves an instance and cascades to its job (I/B->R: job I->R; R->D: job
 * R->D; ->E: job to E, then at once F when its attempts are used up, else Q).
 * An instance already in `to` is tolerated and changes nothing.
 */
export async function moveJobInstance(db: Db, instanceId: number, to: JobInstanceStatus, log: FastifyBaseLogger): Promise<InstanceMove> {
  const { job, instance } = await lockInstanceAndJob(db, instanceId);
  let jobStatus = job.status;
  if (instance.status === to) {
    log.warn({ job_instance_id: instanceId, status: to }, 'job instance is already in this state; not moving it');
  } else {
    if (!isLegalJobInstanceTransition(instance.status, to)) throw illegalTransition('job_instance', instanceId, instance.status, to);
    const cascade = jobCascade(to);
    if (cascade !== undefined) {
      if (!isLegalJobTransition(job.status, cascade)) throw illegalTransition('job', job.job_id, job.status, cascade);
      // E is never stored: a NULL max_attempts counts as the server default of 1.
      jobStatus = cascade === 'E' ? afterError(job.num_attempts, job.max_attempts ?? 1) : cascade;
      await moveJob(db, job.job_id, jobStatus);
    }
    await moveInstance(db, instanceId, to);
  }
  return { job, instance, message: publishMessage(job.dag_id, job.job_id, jobStatus) };
}

/**
 * `moveJobInstance` (plus `columns` written with the move) as one autocommit
 * UPDATE, for a legal move whose outcome needs no locked read: the instance
 * in a legal source status and, for a cascade to R or D, the job in a legal
 * source status too. A move with no cascade (B) also needs the job outside D
 * and F, so that its publish message is "" as the locked form would say.
 * Errors (the attempt count decides F or Q) always take the locked form.
 * Returns the publish message, or undefined when nothing changed.
 */
export async function tryMoveJobInstance(db: Db, instanceId: number, to: JobInstanceStatus, columns: InstanceColumns = {}): Promise<string | undefined> {
  const cascade = jobCascade(to);
  if (cascade === 'E') return undefined;
  const owner = await findInstanceOwner(db, instanceId);
  if (owner === undefined) throw notFound('job_instance', instanceId);
  const jobRule = cascade === undefined ? { jobNotIn: PUBLISHED_JOB_STATUSES } : { jobFrom: jobSourcesOf(cascade), jobTo: cascade };
  const moved = await moveInstanceAndJobIf(db, {
    instanceId, jobId: owner.job_id, dagId: owner.dag_id, from: jobInstanceSourcesOf(to), to, columns, ...jobRule,
  });
  return moved ? publishMessage(owner.dag_id, owner.job_id, cascade ?? '') : undefined;
}
