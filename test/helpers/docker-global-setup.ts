import { ensureEngineReachable } from '../../src/deploy/engine.js';
import { sweepTestResources, testEngine } from './docker.js';

/**
 * Vitest globalSetup: the Docker suites are not opt-in, so a missing engine
 * fails the run at once with the command that starts it. Then labelled
 * leftovers of earlier runs are swept (once per run, not per file, so no
 * suite removes what another one is using).
 */
export default async function setup(): Promise<void> {
  const { docker, endpoint } = testEngine();
  try {
    await ensureEngineReachable(docker, endpoint, 5_000);
  } catch {
    const error = new Error(`Docker engine not reachable at ${endpoint.url}; run: bash scripts/test-docker.sh`);
    error.stack = error.message; // one line, no frames: the fix is outside the code
    throw error;
  }
  const swept = await sweepTestResources(docker);
  if (swept > 0) console.log(`swept ${swept} leftover test container(s)/volume(s)/image(s) from earlier runs`);
}
