// The README's main job (decisions.md 27): deploy this checkout as a release to
// the local Docker engine and show it working.
//   1. Make sure a Docker engine and the offline base image exist
//      (scripts/test-docker.sh: installs docker.io and starts dockerd if there
//      is none, and bootstraps the base image when no registry answers).
//   2. Commit this working tree into a temporary bare repository, with a
//      ports.json that registers release 9.9.1 on free high ports for host
//      `demo`, and tag it `release-9.9.1`.
//   3. `jobmon-ops deploy release-9.9.1` from that repository, bound to
//      127.0.0.1, non-interactively.
//   4. Run a job lifecycle against the deployed service and print it.
//   5. Undeploy (containers, network and volume), unless --keep is given.
// Run with `npm run demo` (it builds first). Needs root for the engine setup.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeReleaseRepo } from './lib/release-repo.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const keep = process.argv.includes('--keep');
const cli = path.join(root, 'bin/jobmon-ops.js');
const bold = (text) => (process.stdout.isTTY ? `\u001b[1m${text}\u001b[0m` : text);
const step = (text) => process.stdout.write(`\n${bold(`== ${text}`)}\n`);

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}`);
}

step('Docker engine and base image');
run('bash', [path.join(root, 'scripts/test-docker.sh')]);

step('a release of this checkout in a temporary repository');
const repo = await makeReleaseRepo({ root, version: '9.9.1', host: 'demo', label: 'demo.1', firstPort: 46910 });
const { work, tree, bare, release } = repo;
const deployments = path.join(work, 'deployments');
try {
  process.stdout.write(`${release.tag} on host demo: service port ${release.service}, DB port ${release.db}, repository ${bare}\n`);

  const env = { ...process.env, JOBMON_DEPLOYMENTS_DIR: deployments, JOBMON_OPS_CONFIG: path.join(work, 'no-config.json') };
  const ops = (...args) => run(process.execPath, [cli, '--registry', path.join(tree, 'ports.json'), ...args], { env });

  step(`jobmon-ops deploy ${release.tag} --repo ${bare} --host demo --bind 127.0.0.1 --yes`);
  ops('deploy', release.tag, '--repo', bare, '--host', 'demo', '--bind', '127.0.0.1', '--yes');

  step(`a job lifecycle against http://127.0.0.1:${release.service}`);
  const url = `http://127.0.0.1:${release.service}`;
  const call = async (method, route, body) => {
    const response = await fetch(`${url}${route}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
    const text = await response.text();
    process.stdout.write(`${method} ${route} -> ${response.status} ${text.trim()}\n`);
    if (!response.ok) throw new Error(`${method} ${route} failed`);
    return text ? JSON.parse(text) : {};
  };
  const { dag_id } = await call('POST', '/task_dag', { name: 'demo', user: 'demo', dag_hash: 'd3m0' });
  const { job_dct } = await call('POST', '/job', { dag_id, name: 'hello', job_hash: 1234567890123456789012345678901234567890n.toString(), command: 'echo hello' });
  await call('POST', `/job/${job_dct.job_id}/queue`, {});
  const { job_instance_id } = await call('POST', '/job_instance', { job_id: job_dct.job_id, executor_type: 'demo' });
  await call('POST', `/job_instance/${job_instance_id}/log_running`, { nodename: 'demo-node', process_group_id: 1 });
  await call('POST', `/job_instance/${job_instance_id}/log_done`, {});
  const { job_dcts } = await call('GET', `/dag/${dag_id}/job_status`);
  process.stdout.write(bold(`job ${job_dcts[0].job_id} is ${job_dcts[0].status} (D = done)\n`));
  await call('GET', '/health');
  step(`jobmon-ops status ${release.tag}`);
  ops('status', release.tag, '--host', 'demo');
  if (keep) {
    process.stdout.write(`\nLeft running (--keep). Remove it with:\n  node bin/jobmon-ops.js --registry ${path.join(tree, 'ports.json')} undeploy ${release.tag} --purge-data --yes\n`);
  }
} finally {
  if (!keep) {
    step(`jobmon-ops undeploy ${release.tag} --purge-data --yes`);
    spawnSync(process.execPath, [cli, '--registry', path.join(tree, 'ports.json'), 'undeploy', release.tag, '--host', 'demo', '--purge-data', '--yes'], {
      stdio: 'inherit',
      env: { ...process.env, JOBMON_DEPLOYMENTS_DIR: deployments },
    });
    repo.cleanup();
    process.stdout.write('removed the demo stack and its temporary files\n');
  }
}
