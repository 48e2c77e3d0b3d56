// Git benchmark (issue 12): the cost of one git command through simple-git
// next to execa, each set up as jobmon-ops sets it up (allowlisted
// environment, an AbortSignal with the total limit, stdout as a string). The
// commands: `git ls-remote --tags` of a local bare repository with 200 tags
// (deploy's preflight) and `git ls-files -z --cached` of a checkout of 200 and
// of 100,000 files (ports check). Rounds interleave the two libraries.
// Writes bench/results/git.md. Needs no build: it calls the libraries.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { simpleGit } from 'simple-git';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rounds = Number(process.env.BENCH_ROUNDS ?? 200);
const env = { PATH: process.env.PATH, HOME: process.env.HOME, GIT_TERMINAL_PROMPT: '0', GIT_SSH_COMMAND: 'ssh -o BatchMode=yes' };
const tmp = mkdtempSync(path.join(os.tmpdir(), 'jobmon-ops-bench-git-'));

/** A checkout with `files` tracked paths (index entries of one blob: ls-files reads the index only) and `tags` tags. */
function makeCheckout(name, files, tags) {
  const dir = path.join(tmp, name);
  mkdirSync(dir);
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  writeFileSync(path.join(dir, 'a.txt'), 'a\n');
  const blob = execFileSync('git', ['hash-object', '-w', 'a.txt'], { cwd: dir, encoding: 'utf8' }).trim();
  const lines = Array.from({ length: files }, (_, i) => `100644 ${blob}\tsrc/d${Math.floor(i / 100)}/file-${i}.ts`).join('\n');
  execFileSync('git', ['update-index', '--add', '--index-info'], { cwd: dir, input: `${lines}\n` });
  execFileSync('git', ['-c', 'user.name=b', '-c', 'user.email=b@b', 'commit', '-q', '-m', 'one'], { cwd: dir });
  for (let t = 0; t < tags; t++) execFileSync('git', ['tag', `release-1.${Math.floor(t / 10)}.${t % 10}`], { cwd: dir });
  return dir;
}
const small = makeCheckout('small', 200, 200);
const big = makeCheckout('big', 100_000, 0);
const bare = path.join(tmp, 'jobmon.git');
execFileSync('git', ['clone', '-q', '--bare', small, bare]);

const viaExeca = async (cwd, args) =>
  (await execa('git', args, { cwd, cancelSignal: AbortSignal.timeout(120_000), reject: false, stdin: 'ignore', env, extendEnv: false })).stdout;
const viaSimpleGit = (cwd, args) =>
  simpleGit({ baseDir: cwd, abort: AbortSignal.timeout(120_000), unsafe: { allowUnsafeSshCommand: true } }).env(env).raw(args);

const cases = [
  { name: 'ls-remote --tags (200 tags)', cwd: tmp, args: ['ls-remote', '--tags', '--', `file://${bare}`], rounds },
  { name: 'ls-files -z (200 files)', cwd: small, args: ['ls-files', '-z', '--cached'], rounds },
  { name: 'ls-files -z (100,000 files)', cwd: big, args: ['ls-files', '-z', '--cached'], rounds: Math.max(10, Math.round(rounds / 5)) },
];

const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
async function time(fn) {
  const start = process.hrtime.bigint();
  const out = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, out };
}

const rows = [];
for (const c of cases) {
  const samples = { execa: [], simple: [] };
  const expected = await viaExeca(c.cwd, c.args);
  if ((await viaSimpleGit(c.cwd, c.args)).replace(/\n$/, '') !== expected) throw new Error(`${c.name}: the two outputs differ`);
  for (let r = 0; r < c.rounds; r++) {
    samples.execa.push((await time(() => viaExeca(c.cwd, c.args))).ms);
    samples.simple.push((await time(() => viaSimpleGit(c.cwd, c.args))).ms);
  }
  const [e, s] = [quantile(samples.execa, 0.5), quantile(samples.simple, 0.5)];
  rows.push(`| ${c.name} | ${c.rounds} | ${e.toFixed(2)} | ${quantile(samples.execa, 0.9).toFixed(2)} | ${s.toFixed(2)} | ${quantile(samples.simple, 0.9).toFixed(2)} | ${(s - e >= 0 ? '+' : '') + (s - e).toFixed(2)} |`);
}

/** Loading each library once, in a fresh Node (what a command that runs git pays once). */
function loadMs(spec) {
  const code = `const t = process.hrtime.bigint(); await import('${spec}'); console.log(Number(process.hrtime.bigint() - t) / 1e6)`;
  const xs = Array.from({ length: 15 }, () => Number(execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' })));
  return quantile(xs, 0.5).toFixed(1);
}
const loads = `Loading the library once from node_modules, not the bundle (median of 15 fresh processes): simple-git ${loadMs('simple-git')} ms, execa ${loadMs('execa')} ms.`;
rmSync(tmp, { recursive: true, force: true });

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const table = [
  '# Git through simple-git and execa',
  '',
  `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} x ${cpu}, Node ${process.version}, ${execFileSync('git', ['--version'], { encoding: 'utf8' }).trim()};`,
  'interleaved rounds, wall time of one awaited call (spawn to parsed stdout), ms.',
  '',
  '| command | rounds | execa median | execa p90 | simple-git median | simple-git p90 | simple-git - execa (median) |',
  '|---|---|---|---|---|---|---|',
  ...rows,
  '',
  loads,
  '',
].join('\n');
mkdirSync(path.join(root, 'bench/results'), { recursive: true });
writeFileSync(path.join(root, 'bench/results/git.md'), table);
process.stdout.write(table);
