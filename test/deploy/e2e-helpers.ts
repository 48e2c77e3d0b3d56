import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type Docker from 'dockerode';
import { execa, type ResultPromise } from 'execa';
import { BIN, REPO_ROOT, type CliResult } from '../helpers/cli.js';
import { TEST_LABEL } from '../helpers/docker.js';
import type { DeploymentRecord } from '../../src/deploy/record.js';

/** Planted as the DB passwords and the Slack token: no output, argv or log may show them. */
export const SENTINELS = {
  JOBMON_PASS_ROOT: 'SENTINEL-e2e-root-5d1f',
  JOBMON_PASS_TABLE_CREATOR: 'SENTINEL-e2e-tc-77a0',
  JOBMON_PASS_SERVICE_USER: 'SENTINEL-e2e-su-3b9c',
  JOBMON_PASS_READ_ONLY: 'SENTINEL-e2e-ro-e412',
  JOBMON_SLACK_TOKEN: 'SENTINEL-e2e-xoxb-0c6d',
} as const;

export const sentinelValues = Object.values(SENTINELS);

/** The env of a test deploy: no operator configuration, no colour, records in `deployments`. */
export function deployEnv(deployments: string, extra: Record<string, string> = {}): Record<string, string> {
  return { NO_COLOR: '1', JOBMON_OPS_CONFIG: '/nonexistent/jobmon-ops-config.json', JOBMON_DEPLOYMENTS_DIR: deployments, ...SENTINELS, ...extra };
}

/** `jobmon-ops deploy` started as a user runs it, no stdin; the caller awaits or signals it. */
export function startDeploy(args: string[], env: Record<string, string>, timeoutMs = 900_000): ResultPromise<{ reject: false; stdin: 'ignore'; timeout: number; cwd: string; env: Record<string, string> }> {
  return execa(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, env, reject: false, stdin: 'ignore', timeout: timeoutMs });
}

export async function runDeploy(args: string[], env: Record<string, string>, timeoutMs?: number): Promise<CliResult> {
  const result = await startDeploy(args, env, timeoutMs);
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** Resolves once the running command has printed `text` on stdout. */
export function waitForOutput(child: ReturnType<typeof startDeploy>, text: string): Promise<void> {
  let seen = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(text)) resolve();
    });
    void child.then(() => reject(new Error(`exited before printing "${text}":\n${seen}`)));
  });
}

/** Every resource of a compose project on the engine: containers (the lock too), its network and its volume. */
export async function leftovers(docker: Docker, project: string): Promise<string[]> {
  const containers = await docker.listContainers({ all: true, filters: { name: [`${project}_`] } });
  const networks = await docker.listNetworks({ filters: { name: [`${project}_`] } });
  const volumes = (await docker.listVolumes({ filters: { name: [`${project}_`] } })).Volumes ?? [];
  return [
    ...containers.map((c) => `container ${c.Names[0]}`),
    ...networks.map((n) => `network ${n.Name}`),
    ...volumes.map((v) => `volume ${v.Name}`),
  ];
}

/** Removes a test project's resources, only those the tests labelled. */
export async function removeProject(docker: Docker, project: string): Promise<void> {
  const labelled = (labels: Record<string, string> | null | undefined) => labels?.[TEST_LABEL] === '1';
  for (const c of await docker.listContainers({ all: true, filters: { name: [`${project}_`] } })) {
    if (labelled(c.Labels)) await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
  }
  for (const n of await docker.listNetworks({ filters: { name: [`${project}_`] } })) {
    if (labelled(n.Labels)) await docker.getNetwork(n.Id).remove().catch(() => undefined);
  }
  for (const v of (await docker.listVolumes({ filters: { name: [`${project}_`] } })).Volumes ?? []) {
    if (labelled(v.Labels)) await docker.getVolume(v.Name).remove().catch(() => undefined);
  }
}

/** The records of a version, oldest first. */
export async function records(deployments: string, version: string): Promise<{ file: string; record: DeploymentRecord }[]> {
  const dir = path.join(deployments, version);
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json')).sort();
  return Promise.all(names.map(async (n) => ({ file: path.join(dir, n), record: JSON.parse(await readFile(path.join(dir, n), 'utf8')) as DeploymentRecord })));
}

/** The error lines of a failed command (stderr), for "one line" assertions. */
export const errorLines = (result: CliResult) => result.stderr.trim().split('\n').filter((l) => l.startsWith('error:'));
