// Start-up benchmark: how long `jobmon-ops --help` and `jobmon-ops ports list`
// take next to bare Node (`node -e 0`). Runs the built binary (npm run build
// first; `npm run bench` does). Rounds interleave the commands so machine
// noise hits all of them alike. Writes bench/results/startup.md.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rounds = Number(process.env.BENCH_ROUNDS ?? 40);
const node = process.execPath;
const bin = path.join(root, 'bin/jobmon-ops.js');
const cases = [
  { name: 'node -e 0 (bare Node)', args: ['-e', '0'] },
  { name: 'jobmon-ops --help', args: [bin, '--help'] },
  { name: 'jobmon-ops ports list', args: [bin, 'ports', 'list'] },
  { name: 'jobmon-ops ports show 3870', args: [bin, 'ports', 'show', '3870'] },
];

function once(args) {
  const start = process.hrtime.bigint();
  const result = spawnSync(node, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return ms;
}

const samples = cases.map(() => []);
for (const c of cases) once(c.args); // warm the file cache
for (let r = 0; r < rounds; r++) cases.forEach((c, i) => samples[i].push(once(c.args)));

const quantile = (xs, q) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
const bare = quantile(samples[0], 0.5);
const rows = cases.map((c, i) => {
  const median = quantile(samples[i], 0.5);
  return `| ${c.name} | ${median.toFixed(1)} | ${quantile(samples[i], 0.9).toFixed(1)} | ${(median / bare).toFixed(2)}x |`;
});
const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const table = [
  '# Start-up time',
  '',
  `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} x ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version};`,
  `${rounds} interleaved rounds, wall time of the whole process. Aim: at most 1.5x bare Node.`,
  '',
  '| command | median ms | p90 ms | median / bare Node |',
  '|---|---|---|---|',
  ...rows,
  '',
].join('\n');
mkdirSync(path.join(root, 'bench/results'), { recursive: true });
writeFileSync(path.join(root, 'bench/results/startup.md'), table);
process.stdout.write(table);
