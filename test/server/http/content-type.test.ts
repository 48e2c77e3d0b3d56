import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestServer, type TestServer } from '../../helpers/server.js';

/**
 * Hardening item 11: POST and PUT take only application/json, so a web page
 * on another origin cannot create or change jobs with a "simple" request (one
 * a browser sends without a CORS preflight), and the server grants no
 * preflight. Real server, real MariaDB: a refused request must change no row.
 */

const REFUSED = { error: { code: 'unsupported_media_type', message: 'POST and PUT requests must be sent with Content-Type: application/json' } };

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer('ctype');
});
afterAll(async () => {
  await server?.close();
});

const dagsWithHash = async (hash: string) =>
  ((await server.admin.query('SELECT COUNT(*) AS n FROM task_dag WHERE dag_hash = ?', [hash]))[0] as Array<{ n: number }>)[0]!.n;

const jobStatus = async (jobId: number) =>
  ((await server.admin.query('SELECT status FROM job WHERE job_id = ?', [jobId]))[0] as Array<{ status: string }>)[0]!.status;

/** A raw request with exactly these headers (fetch adds text/plain to a string body by itself). */
async function send(method: string, path: string, headers: Record<string, string>, body?: string | URLSearchParams | FormData) {
  const response = await fetch(`${server.url}${path}`, { method, headers, body });
  const text = await response.text();
  return { status: response.status, contentType: response.headers.get('content-type'), body: text ? JSON.parse(text) : undefined, headers: response.headers };
}

describe('POST and PUT accept only application/json (415 otherwise)', () => {
  it('accepts application/json with or without parameters, in any letter case', async () => {
    for (const [i, type] of ['application/json', 'application/json; charset=utf-8', 'Application/JSON; Charset=UTF-8', ' application/json ;charset=utf-8'].entries()) {
      const hash = `ct-ok-${i}`;
      const response = await send('POST', '/task_dag', { 'content-type': type }, JSON.stringify({ name: 'n', user: 'u', dag_hash: hash }));
      expect([type, response.status]).toEqual([type, 200]);
      expect(await dagsWithHash(hash)).toBe(1);
    }
  });

  it('refuses every other body with 415 JSON before the handler runs: no DAG is created', async () => {
    const json = (hash: string) => JSON.stringify({ name: 'n', user: 'u', dag_hash: hash });
    const cases: Array<[string, Record<string, string>, string | URLSearchParams | FormData]> = [
      ['text/plain', { 'content-type': 'text/plain' }, json('ct-text')],
      ['text/plain;charset=UTF-8 (what fetch sends for a string)', {}, json('ct-default')],
      ['form-encoded', {}, new URLSearchParams({ name: 'n', user: 'u', dag_hash: 'ct-form' })],
      ['multipart', {}, (() => { const form = new FormData(); form.set('dag_hash', 'ct-multi'); return form; })()],
      ['a JSON look-alike', { 'content-type': 'application/jsonx' }, json('ct-x')],
      ['JSON named as a parameter', { 'content-type': 'text/plain; type=application/json' }, json('ct-param')],
    ];
    for (const [what, headers, body] of cases) {
      const response = await send('POST', '/task_dag', headers, body);
      expect([what, response.status, response.body]).toEqual([what, 415, REFUSED]);
      expect(response.contentType).toMatch(/^application\/json/);
    }
    for (const hash of ['ct-text', 'ct-default', 'ct-form', 'ct-multi', 'ct-x', 'ct-param']) expect(await dagsWithHash(hash)).toBe(0);
  });

  it('refuses a body with no Content-Type at all, on POST and on PUT; the workflow is unchanged', async () => {
    const dag = (await call(server, 'POST', '/task_dag', { name: 'n', user: 'u', dag_hash: 'ct-put' })).body.dag_id as number;
    const workflow = await call(server, 'POST', '/workflow', { dag_id: dag, workflow_args: 'a', workflow_hash: 'h', name: 'w', user: 'u' });
    const wfId = workflow.body.workflow_dct.id as number;
    // A Uint8Array body makes fetch send no Content-Type header.
    const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
    const put = await fetch(`${server.url}/workflow`, { method: 'PUT', body: bytes({ wf_id: wfId, status: 'E' }) });
    expect([put.status, await put.json()]).toEqual([415, REFUSED]);
    const post = await fetch(`${server.url}/task_dag`, { method: 'POST', body: bytes({ name: 'n', user: 'u', dag_hash: 'ct-none' }) });
    expect([post.status, await post.json()]).toEqual([415, REFUSED]);
    const [rows] = await server.admin.query('SELECT status FROM workflow WHERE id = ?', [wfId]);
    expect(rows).toEqual([{ status: workflow.body.workflow_dct.status }]);
    expect(await dagsWithHash('ct-none')).toBe(0);
  });

  it('refuses a body-less POST without the header too (a browser sends that cross-origin unasked): the job stays unqueued', async () => {
    const dag = (await call(server, 'POST', '/task_dag', { name: 'n', user: 'u', dag_hash: 'ct-queue' })).body.dag_id as number;
    const job = (await call(server, 'POST', '/job', { name: 'j', job_hash: 11, command: 'true', dag_id: dag })).body.job_dct.job_id as number;
    const before = await jobStatus(job);
    const bare = await send('POST', `/job/${job}/queue`, { origin: 'http://evil.example' });
    expect([bare.status, bare.body]).toEqual([415, REFUSED]);
    expect(await jobStatus(job)).toBe(before);
    // The same call as the 0.8 client makes it goes through.
    expect((await send('POST', `/job/${job}/queue`, { 'content-type': 'application/json' }, '{}')).status).toBe(200);
    expect(await jobStatus(job)).toBe('Q');
  });
});

describe('CORS: no preflight is granted, so a page cannot send JSON cross-origin', () => {
  it('a preflight for POST or PUT with a JSON Content-Type gets 404 and no Access-Control-* header', async () => {
    for (const [method, path] of [['POST', '/job'], ['POST', '/task_dag'], ['PUT', '/workflow'], ['PUT', '/workflow_run']]) {
      const preflight = await send('OPTIONS', path!, {
        origin: 'http://evil.example',
        'access-control-request-method': method!,
        'access-control-request-headers': 'content-type',
      });
      expect([method, path, preflight.status]).toEqual([method, path, 404]);
      expect([...preflight.headers.keys()].filter((name) => name.startsWith('access-control-'))).toEqual([]);
    }
  });

  it('an answer to a request with an Origin carries no Access-Control-Allow-Origin, so a page could not read it either', async () => {
    const response = await send('POST', '/task_dag', { origin: 'http://evil.example', 'content-type': 'application/json' }, JSON.stringify({ name: 'n', user: 'u', dag_hash: 'ct-origin' }));
    expect(response.status).toBe(200);
    expect([...response.headers.keys()].filter((name) => name.startsWith('access-control-'))).toEqual([]);
  });
});
