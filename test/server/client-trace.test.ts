import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * The compatibility proof (decisions.md 15): the recorded HTTP conversation of
 * the real Jobmon 0.8.7 client with the original server, replayed against
 * ours. Ids are mapped from our responses, `last_sync` times from our `time`
 * values; status codes and response shapes must match, and every job row the
 * original returned must come back with the same fields.
 */
interface Exchange {
  seq: number;
  method: string;
  path: string;
  reqBody: string;
  status: number;
  resBody: string;
}

const TRACE = path.join(REPO_ROOT, 'test/fixtures/jobmon087-client-trace.json');
const trace = JSON.parse(readFileSync(TRACE, 'utf8')) as { exchanges: Exchange[] };
const DATETIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/;
/** Keys whose values are ids of a kind (mapped between the recording and our run). */
const ID_KEYS: Record<string, string> = {
  dag_id: 'dag',
  dag_ids: 'dag',
  job_id: 'job',
  job_instance_id: 'ji',
  workflow_id: 'wf',
  wf_id: 'wf',
  workflow_run_id: 'wfr',
  wfr_id: 'wfr',
  workflow_run_attribute_id: 'wfra',
};
const PATH_KINDS: [RegExp, string][] = [
  [/\/(?:task_)?dag\/(\d+)/, 'dag'],
  [/\/job\/(\d+)/, 'job'],
  [/\/job_instance\/(\d+)/, 'ji'],
  [/\/workflow\/(\d+)/, 'wf'],
  [/\/workflow_run\/(\d+)/, 'wfr'],
];

const HASH_DIGITS = /"job_hash":(\d{20,})/g;

describe('replay of the real Jobmon 0.8.7 client', () => {
  let server: TestServer;
  const ids = new Map<string, string>(); // "kind:recorded" -> ours
  const times = new Map<string, string>(); // recorded time -> ours

  beforeAll(async () => {
    server = await startTestServer('trace');
  });
  afterAll(async () => {
    await server?.close();
  });

  const mapId = (kind: string, value: unknown) => ids.get(`${kind}:${String(value)}`) ?? String(value);

  function rewritePath(original: string): string {
    let out = original;
    for (const [pattern, kind] of PATH_KINDS) out = out.replace(pattern, (whole, id: string) => whole.replace(id, mapId(kind, id)));
    return out.replace(/last_sync=([^&]+)/, (_whole, encoded: string) => {
      const recorded = decodeURIComponent(encoded.replace(/\+/g, ' '));
      return `last_sync=${encodeURIComponent(times.get(recorded) ?? recorded)}`;
    });
  }

  function rewriteBody(text: string): string {
    // keep 160-bit hashes as bare digits: rewrite only id keys, textually
    return text.replace(/"(\w+)": ("?)(\d+)("?)/g, (whole, key: string, q1: string, id: string, q2: string) =>
      ID_KEYS[key] ? `"${key}": ${q1}${mapId(ID_KEYS[key]!, id)}${q2}` : whole,
    );
  }

  /** Walks recorded and actual JSON together: learns id/time mappings, checks shapes and values. */
  function compare(recorded: unknown, actual: unknown, where: string): void {
    if (Array.isArray(recorded)) {
      expect(Array.isArray(actual), `${where} is a list`).toBe(true);
      const list = actual as unknown[];
      const isJobRows = recorded.length > 0 && typeof recorded[0] === 'object' && recorded[0] !== null && 'job_id' in (recorded[0] as object);
      if (isJobRows) {
        // delta sync may return more rows here (our replay runs within seconds): every recorded row must be there
        for (const row of recorded as Record<string, unknown>[]) {
          const ours = (list as Record<string, unknown>[]).find((r) => String(r.job_id) === mapId('job', row.job_id));
          expect(ours, `${where}: job ${String(row.job_id)} returned`).toBeDefined();
          compare(row, ours, `${where}[job ${String(row.job_id)}]`);
        }
        return;
      }
      expect(list.length, `${where} length`).toBe(recorded.length);
      recorded.forEach((item, i) => compare(item, list[i], `${where}[${i}]`));
      return;
    }
    if (recorded !== null && typeof recorded === 'object') {
      expect(actual !== null && typeof actual === 'object', `${where} is an object`).toBe(true);
      expect(Object.keys(actual as object).sort(), `${where} keys`).toEqual(Object.keys(recorded).sort());
      for (const [key, value] of Object.entries(recorded)) {
        const ours = (actual as Record<string, unknown>)[key];
        const kind = ID_KEYS[key] ?? (key === 'id' ? (where.includes('workflow_run_dct') ? 'wfr' : 'wf') : undefined);
        if (kind && (typeof value === 'number' || typeof value === 'string') && /^\d+$/.test(String(value))) {
          if (!ids.has(`${kind}:${String(value)}`)) ids.set(`${kind}:${String(value)}`, String(ours));
          expect(String(ours), `${where}.${key}`).toBe(mapId(kind, value));
        } else if (key === 'dag_ids' && Array.isArray(value)) {
          expect((ours as unknown[]).length, `${where}.dag_ids`).toBe(value.length);
        } else {
          compare(value, ours, `${where}.${key}`);
        }
      }
      return;
    }
    if (typeof recorded === 'string' && DATETIME.test(recorded)) {
      expect(String(actual), `${where} is a time`).toMatch(DATETIME);
      if (!times.has(recorded)) times.set(recorded, String(actual));
      return;
    }
    if (typeof recorded === 'string' && /^\d+ \[\d+, "[DF]"\]$/.test(recorded)) {
      const [, dag, job, status] = /^(\d+) \[(\d+), "([DF])"\]$/.exec(recorded)!;
      expect(actual, where).toBe(`${mapId('dag', dag)} [${mapId('job', job)}, "${status}"]`);
      return;
    }
    expect(actual, where).toEqual(recorded);
  }

  it('answers all 48 exchanges with the same status codes and response shapes', async () => {
    expect(trace.exchanges).toHaveLength(48);
    for (const exchange of trace.exchanges) {
      const response = await fetch(`${server.url}${rewritePath(exchange.path)}`, {
        method: exchange.method,
        headers: exchange.reqBody ? { 'content-type': 'application/json' } : {},
        body: exchange.reqBody ? rewriteBody(exchange.reqBody) : undefined,
      });
      const text = await response.text();
      const where = `#${exchange.seq} ${exchange.method} ${exchange.path}`;
      expect(response.status, `${where} status (body ${text})`).toBe(exchange.status);
      // 160-bit hashes: as bare integers with every digit where the original sent them so
      for (const [, digits] of exchange.resBody.matchAll(HASH_DIGITS)) expect(text, `${where} hash`).toContain(`"job_hash":${digits}`);
      if (exchange.resBody.trim() === '') continue;
      compare(JSON.parse(exchange.resBody.replace(HASH_DIGITS, '"job_hash":"$1"')), JSON.parse(text.replace(HASH_DIGITS, '"job_hash":"$1"')), where);
    }
  });
});
