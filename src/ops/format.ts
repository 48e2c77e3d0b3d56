import type { ContainerView, PublishedPort } from './stack.js';

/** A duration as people say it: `42 seconds`, `1 minute`, `5 hours`, `3 days`. */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (s < 60) return unit(s, 'second');
  if (s < 3600) return unit(Math.floor(s / 60), 'minute');
  if (s < 86_400) return unit(Math.floor(s / 3600), 'hour');
  return unit(Math.floor(s / 86_400), 'day');
}

/** `up 3 days`, `exited 2 hours ago (code 0)`, `restarting`, `created, never started`. */
export function uptime(c: Pick<ContainerView, 'state' | 'startedAt' | 'finishedAt' | 'exitCode'>, now: number): string {
  if (c.state === 'running' && c.startedAt) return `up ${humanDuration(now - Date.parse(c.startedAt))}`;
  if (c.state === 'exited' || c.state === 'dead') {
    const ago = c.finishedAt ? ` ${humanDuration(now - Date.parse(c.finishedAt))} ago` : '';
    return `${c.state}${ago}${c.exitCode === undefined ? '' : ` (code ${c.exitCode})`}`;
  }
  if (c.state === 'created') return 'created, never started';
  return c.state;
}

/** `127.0.0.1:1234->3306`, comma-separated. */
export function formatPorts(ports: readonly PublishedPort[]): string {
  return ports.map((p) => `${p.hostIp}:${p.hostPort}->${p.containerPort}`).join(', ');
}

/** Rows padded to their columns' widths, two spaces apart, each prefixed by `indent`. */
export function alignColumns(rows: readonly string[][], indent = ''): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => `${indent}${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')}`.trimEnd());
}
