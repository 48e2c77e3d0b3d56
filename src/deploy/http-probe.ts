/**
 * fetch with a limit. The limit is a ref'd timer on purpose: when
 * docker-proxy accepts a connection that its container does not serve yet,
 * fetch waits on an unref'd socket, and with AbortSignal.timeout's unref'd
 * timer Node would find nothing left to do and exit mid-deploy (code 13).
 */
export async function fetchWithin(url: string, ms: number, signal: AbortSignal): Promise<{ status: number; text: string }> {
  const limit = new AbortController();
  const timer = setTimeout(() => limit.abort(new Error(`no answer within ${ms / 1000} s`)), ms);
  try {
    const response = await fetch(url, { signal: AbortSignal.any([signal, limit.signal]) });
    return { status: response.status, text: await response.text() };
  } finally {
    clearTimeout(timer);
  }
}
