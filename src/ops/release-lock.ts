import type Docker from 'dockerode';
import { acquireLock, lockHeldError, type LockingCommand } from '../deploy/lock.js';
import { deploymentsRoot } from '../deploy/record.js';
import { recoverAbandonedRun } from '../deploy/recover.js';

export interface ReleaseLockInput {
  docker: Docker;
  /** The release's compose project, name and version. */
  project: string;
  name: string;
  version: string;
  command: LockingCommand;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
}

/**
 * Runs `change` under the release's deploy lock, as every command that
 * changes a stack does, so none of them (an `undeploy --purge-data` least of
 * all) acts under a running deploy. What a killed run left is put right first;
 * a lock a live process holds is refused, naming it (exit 2, nothing done).
 */
export async function withReleaseLock<T>(input: ReleaseLockInput, change: () => Promise<T>): Promise<T> {
  const { docker, project, name, command } = input;
  const { held } = await recoverAbandonedRun({ docker, project, release: name, version: input.version, deploymentsRoot: deploymentsRoot(input.env), by: command, log: input.log });
  if (held) throw lockHeldError(name, held, command);
  const lock = await acquireLock(docker, project, name, {}, command);
  try {
    return await change();
  } finally {
    await lock.release().catch((error: unknown) => input.log(`could not remove the deploy lock ${lock.name}: ${(error as Error).message}`));
  }
}
