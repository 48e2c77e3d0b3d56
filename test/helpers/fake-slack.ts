import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One chat.postMessage call as the fake Slack received it. */
export interface SlackRequest {
  at: number;
  method: string;
  path: string;
  authorization: string | undefined;
  channel: string | undefined;
  text: string | undefined;
  /** The HTTP status it was answered with (undefined: left hanging). */
  status: number | undefined;
}

/** How to answer one request; `hang` never answers (a timeout). Default: 200 `{ok: true}`. */
export interface SlackReply {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  hang?: boolean;
}

export interface FakeSlack {
  /** The Web API base to give as SLACK_API_URL, ending in `/api/`. */
  apiUrl: string;
  requests: SlackRequest[];
  /** Replies used in order, one per request; when empty, requests succeed. */
  replies: SlackReply[];
  /** Answers every request this way while set (after `replies` runs out). */
  fallback: SlackReply | undefined;
  /** Answers every request to these channels this way, before `replies` and `fallback` (a channel Slack refuses). */
  channels: Record<string, SlackReply>;
  close(): Promise<void>;
}

function parseBody(request: IncomingMessage, raw: string): Record<string, string | undefined> {
  if ((request.headers['content-type'] ?? '').includes('application/json')) return JSON.parse(raw || '{}');
  return Object.fromEntries(new URLSearchParams(raw));
}

/**
 * A local stand-in for Slack's Web API on 127.0.0.1: it speaks
 * `POST /api/chat.postMessage` (form or JSON bodies, as the real one does)
 * and records every request.
 */
export async function startFakeSlack(): Promise<FakeSlack> {
  const fake: Omit<FakeSlack, 'apiUrl' | 'close'> = { requests: [], replies: [], fallback: undefined, channels: {} };
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let raw = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (raw += chunk));
    request.on('end', () => {
      const body = parseBody(request, raw);
      const byChannel = body.channel === undefined ? undefined : fake.channels[body.channel];
      const reply = byChannel ?? fake.replies.shift() ?? fake.fallback ?? {};
      fake.requests.push({
        at: Date.now(),
        method: request.method ?? '',
        path: request.url ?? '',
        authorization: request.headers.authorization,
        channel: body.channel,
        text: body.text,
        status: reply.hang ? undefined : (reply.status ?? 200),
      });
      if (reply.hang) return;
      const known = request.url === '/api/chat.postMessage';
      const payload = reply.body ?? (known ? { ok: true, channel: body.channel, ts: `${Date.now() / 1000}` } : { ok: false, error: 'unknown_method' });
      response.writeHead(reply.status ?? 200, { 'content-type': 'application/json; charset=utf-8', ...reply.headers });
      response.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}
