/** What status shows of the monitor: its last completed poll (decisions.md 19), from the web service's GET /health. */
export interface MonitorView {
  lastPollAt: string | null;
  secondsSinceLastPoll: number | null;
  stale: boolean;
  lastError: string | null;
}

export interface HealthReport {
  status: number;
  body: { status?: string; monitor?: MonitorView | null } | undefined;
}

/**
 * GET `url` within `ms`. The limit is a ref'd timer (as in deploy's gates):
 * with an unref'd one, Node could exit while fetch waits on a socket that
 * docker-proxy accepted but nothing serves yet.
 */
export async function fetchHealth(url: string, ms = 2000, signal?: AbortSignal): Promise<HealthReport> {
  const limit = new AbortController();
  const timer = setTimeout(() => limit.abort(new Error(`no answer within ${ms / 1000} s`)), ms);
  try {
    const response = await fetch(url, { signal: signal ? AbortSignal.any([signal, limit.signal]) : limit.signal });
    const text = await response.text();
    let body: HealthReport['body'];
    try {
      body = JSON.parse(text) as HealthReport['body'];
    } catch {
      body = undefined;
    }
    return { status: response.status, body };
  } finally {
    clearTimeout(timer);
  }
}

/** The monitor's last poll as `url` reports it, or `unknown` when the service does not answer or does not say. */
export async function readMonitor(url: string | undefined): Promise<MonitorView | 'unknown'> {
  if (url === undefined) return 'unknown';
  try {
    const monitor = (await fetchHealth(url)).body?.monitor;
    if (!monitor) return 'unknown';
    return { lastPollAt: monitor.lastPollAt, secondsSinceLastPoll: monitor.secondsSinceLastPoll, stale: monitor.stale, lastError: monitor.lastError };
  } catch {
    return 'unknown';
  }
}

/** `http://address:port/health`, brackets around an IPv6 address. */
export function healthUrl(address: string, port: number): string {
  return `http://${address.includes(':') ? `[${address}]` : address}:${port}/health`;
}
