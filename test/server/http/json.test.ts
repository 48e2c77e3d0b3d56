import { describe, expect, it } from 'vitest';
import { bareNumber, parseWireJson, stringifyWireJson } from '../../../src/server/http/json.js';

const HASH = '1234567890123456789012345678901234567890123';

describe('wire JSON', () => {
  it('keeps every digit of a 160-bit job_hash and parses small numbers as numbers', () => {
    const body = parseWireJson(`{"job_hash": ${HASH}, "dag_id": 7, "mem_free": "2G", "x": 1.5}`);
    expect(body).toEqual({ job_hash: HASH, dag_id: 7, mem_free: '2G', x: 1.5 });
  });

  it('emits a digit string as a bare JSON integer with every digit intact', () => {
    expect(stringifyWireJson({ job_hash: bareNumber(HASH), job_id: 3 })).toBe(`{"job_hash":${HASH},"job_id":3}`);
  });

  it('reads hashes as int() did: leading zeros, a sign and blanks', () => {
    expect(stringifyWireJson([bareNumber('007'), bareNumber(' -0042 '), bareNumber('+5'), bareNumber('-0')])).toBe('[7,-42,5,0]');
  });

  it('emits a non-numeric hash as a string rather than failing', () => {
    expect(stringifyWireJson({ job_hash: bareNumber('abc') })).toBe('{"job_hash":"abc"}');
  });

  it('rejects malformed JSON', () => {
    expect(() => parseWireJson('{"a": }')).toThrow();
  });
});
