import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_HTTP_LIMITS } from '../../../src/server/config-limits.js';
import { call, startTestServer, type TestServer } from '../../helpers/server.js';

/**
 * Hardening item 13, body size: the limit (2 MiB by default) takes the
 * largest body the 0.8 client can legitimately send and refuses a bigger one
 * with 413 JSON. The 0.8 client sends one job per POST /job, so no request
 * grows with the DAG; the largest is PUT /workflow with its three TEXT
 * columns full (65,535 bytes each) of characters that JSON escapes to six
 * bytes (`\u0001`): about 1.18 MB (docs/server.md, "Limits").
 */

const TEXT_MAX = 65_535;
const TOO_LARGE = { error: { code: 'payload_too_large', message: `the request body is larger than the limit of ${DEFAULT_HTTP_LIMITS.bodyLimit} bytes` } };

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer('limits_body');
});
afterAll(async () => {
  await server?.close();
});

/** A raw POST of `size` bytes of valid JSON, sent with Content-Length or chunked; returns status and body. */
function postBytes(path: string, size: number, chunked: boolean): Promise<{ status: number; body: unknown }> {
  const padding = 'x'.repeat(size - '{"pad":""}'.length);
  const payload = Buffer.from(`{"pad":"${padding}"}`);
  expect(payload.length).toBe(size);
  return new Promise((resolve, reject) => {
    const request = http.request(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(chunked ? {} : { 'content-length': String(size) }) },
    });
    request.on('response', (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode!, body: JSON.parse(text) }));
    });
    // The server may answer and close before it has read everything: that is the point.
    request.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    if (chunked) for (let at = 0; at < payload.length; at += 64 * 1024) request.write(payload.subarray(at, at + 64 * 1024));
    else request.write(payload);
    request.end();
  });
}

describe('the body limit', () => {
  it('takes the largest legitimate request: PUT /workflow with all three TEXT columns full of escaped characters', async () => {
    const dag = (await call(server, 'POST', '/task_dag', { name: 'big', user: 'u', dag_hash: 'big' })).body.dag_id as number;
    const wfId = (await call(server, 'POST', '/workflow', { dag_id: dag, workflow_args: 'a', workflow_hash: 'h', name: 'w', user: 'u' })).body.workflow_dct.id as number;
    const full = '\u0001'.repeat(TEXT_MAX);
    const body = JSON.stringify({
      wf_id: wfId, dag_id: dag, workflow_args: full, workflow_hash: full, description: full, name: '\u0001'.repeat(150), user: '\u0001'.repeat(150),
      created_date: '2019-03-27 10:11:12.123456', status_date: '2019-03-27 10:11:12.123456', status: 'R',
    });
    // What the docs state: about 1.18 MB, under the 2 MiB default with room to spare.
    expect(Buffer.byteLength(body)).toBeGreaterThan(1_180_000);
    expect(Buffer.byteLength(body)).toBeLessThan(DEFAULT_HTTP_LIMITS.bodyLimit / 1.7);
    const response = await call(server, 'PUT', '/workflow', body);
    expect(response.status, response.text.slice(0, 300)).toBe(200);
    const [rows] = await server.admin.query('SELECT LENGTH(workflow_args) AS a, LENGTH(workflow_hash) AS h, LENGTH(description) AS d FROM workflow WHERE id = ?', [wfId]);
    expect(rows).toEqual([{ a: TEXT_MAX, h: TEXT_MAX, d: TEXT_MAX }]);
  });

  it('refuses one byte over the limit with 413 JSON, whether the size is declared or the body is chunked', async () => {
    for (const chunked of [false, true]) {
      expect(await postBytes('/task_dag', DEFAULT_HTTP_LIMITS.bodyLimit + 1, chunked)).toEqual({ status: 413, body: TOO_LARGE });
    }
    // Exactly at the limit the body is read and judged on its content (no dag fields: 400).
    expect((await postBytes('/task_dag', DEFAULT_HTTP_LIMITS.bodyLimit, false)).status).toBe(400);
  });

  it('refuses a declared 1 GB body at once, before it is sent', async () => {
    const answer = await new Promise<{ status: number; body: unknown }>((resolve, reject) => {
      const request = http.request(`${server.url}/job`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(1024 ** 3) } });
      request.on('response', (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode!, body: JSON.parse(text) }));
      });
      request.on('error', reject);
      request.write('{');
    });
    expect(answer).toEqual({ status: 413, body: TOO_LARGE });
  });
});
