// Deploy benchmark (issue 5): a cold deploy (no images for the commit) and a
// warm one (images present, fresh volume), timed step by step from the
// deploy's own progress lines, with the wall time of the whole command. The
// "unavoidable parts" are the container starts and health gates (DB start and
// initialisation, initdb, web health, first monitor poll); everything else is
// what jobmon-ops adds. Writes bench/results/deploy.md. Needs the engine and
// base image (bash scripts/test-docker.sh) and a build (npm run build).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeReleaseRepo } from '../scripts/lib/release-repo.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'bin/jobmon-ops.js');
const repo = await makeReleaseRepo({ root, version: '9.9.2', host: 'bench', label: 'bench.1', firstPort: 46930 });
const env = { ...process.env, NO_COLOR: '1', JOBMON_DEPLOYMENTS_DIR: path.join(repo.work, 'deployments'), JOBMON_OPS_CONFIG: path.join(repo.work, 'none.json') };
const ops = (...args) => spawnSync(process.execPath, [cli, '--registry', repo.registryFile, ...args], { env, encoding: 'utf8' });

/** Step name -> seconds, from "[ 6/12] wait: DB accepting connections (...) ..." / "  ok (6.5 s): ..." pairs. */
function steps(output) {
  const out = [];
  let name;
  for (const line of output.split('\n')) {
    const head = /^(?:\[\s*\d+\/\d+\] )?(.+?)(?: \(\S+\))?(?:, up to \d+ s)? \.\.\.$/.exec(line);
    if (head) name = head[1];
    const ok = /^\s+ok \(([\d.]+) s\)/.exec(line);
    if (ok && name) out.push({ name, seconds: Number(ok[1]) });
  }
  return out;
}

function deployOnce() {
  const start = performance.now();
  const result = ops('deploy', repo.release.tag, '--repo', repo.bare, '--host', 'bench', '--bind', '127.0.0.1', '--yes');
  const wall = (performance.now() - start) / 1000;
  if (result.status !== 0) throw new Error(`deploy failed:\n${result.stdout}\n${result.stderr}`);
  const undeploy = ops('undeploy', repo.release.tag, '--host', 'bench', '--purge-data', '--yes');
  if (undeploy.status !== 0) throw new Error(`undeploy failed:\n${undeploy.stderr}`);
  return { wall, steps: steps(result.stdout) };
}

const unavoidable = (s) => /^(start |run |wait: )/.test(s.name);
try {
  const short = repo.commit.slice(0, 12);
  for (const image of [`jobmon-server:${short}`, `jobmon-mariadb:${short}`]) spawnSync('docker', ['rmi', '-f', image], { stdio: 'ignore' });
  const cold = deployOnce();
  const warm = deployOnce();
  const sum = (list) => list.reduce((a, s) => a + s.seconds, 0);
  const names = [...new Set([...cold.steps, ...warm.steps].map((s) => s.name))];
  const cell = (run, name) => run.steps.find((s) => s.name === name)?.seconds.toFixed(1) ?? '-';
  const lines = [
    '# Deploy benchmark',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} x ${os.cpus()[0]?.model}, Docker ${execFileSync('docker', ['version', '--format', '{{.Server.Version}}']).toString().trim()}, base image jobmon-ops/bookworm:base.`,
    'Cold: no images for the commit (Docker\'s layer cache may still hold the MariaDB apt layer). Warm: images present, fresh volume.',
    '',
    '| step | cold s | warm s | unavoidable |',
    '|---|---|---|---|',
    ...names.map((n) => `| ${n} | ${cell(cold, n)} | ${cell(warm, n)} | ${unavoidable({ name: n }) ? 'yes' : ''} |`),
    `| **whole command (wall)** | ${cold.wall.toFixed(1)} | ${warm.wall.toFixed(1)} | |`,
    '',
    `Warm: the unavoidable parts (container starts and health gates) sum to ${sum(warm.steps.filter(unavoidable)).toFixed(1)} s; the whole command took ${warm.wall.toFixed(1)} s, ` +
      `${(warm.wall / sum(warm.steps.filter(unavoidable))).toFixed(2)}x (aim: at most 1.5x). Time to healthy (first container start to the monitor's first poll): ${sum(warm.steps.filter(unavoidable)).toFixed(1)} s.`,
    '',
  ];
  mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  writeFileSync(path.join(root, 'bench/results/deploy.md'), lines.join('\n'));
  process.stdout.write(lines.join('\n'));
} finally {
  ops('undeploy', repo.release.tag, '--host', 'bench', '--purge-data', '--yes');
  repo.cleanup();
}
