import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { RetargetDatabase, retargetLine } from '../../src/dump/retarget.js';

const HEADER = [
  '/*M!999999\\- enable the sandbox mode */ ',
  '-- MariaDB dump 10.19  Distrib 10.11.19-MariaDB, for debian-linux-gnu (x86_64)',
  '--',
  '-- Current Database: `docker`',
  '--',
  '',
  'CREATE DATABASE /*!32312 IF NOT EXISTS*/ `docker` /*!40100 DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci */;',
  '',
  'USE `docker`;',
  '',
  "INSERT INTO `t` VALUES (1,'USE `docker`;');",
  'USE `docker`;',
  '-- Dump completed on 2024-01-01  0:00:00',
  '',
].join('\n');

describe('retargetLine', () => {
  it('renames the database of the CREATE DATABASE and USE lines, quoting the new name', () => {
    expect(retargetLine('CREATE DATABASE /*!32312 IF NOT EXISTS*/ `docker` /*!40100 DEFAULT CHARACTER SET utf8mb4 */;\n', 'jt_a`b')).toBe(
      'CREATE DATABASE /*!32312 IF NOT EXISTS*/ `jt_a``b` /*!40100 DEFAULT CHARACTER SET utf8mb4 */;\n',
    );
    expect(retargetLine('USE `we``ird`;\n', 'docker')).toBe('USE `docker`;\n');
    expect(retargetLine("INSERT INTO `t` VALUES ('USE `x`;');\n", 'docker')).toBeUndefined();
    expect(retargetLine('-- Current Database: `docker`\n', 'x')).toBeUndefined();
  });
});

describe('RetargetDatabase', () => {
  it.each([1, 5, 64, 100_000])('rewrites the header only, whatever the chunk size (%i)', async (size) => {
    const raw = Buffer.from(HEADER);
    const chunks: Buffer[] = [];
    for (let at = 0; at < raw.length; at += size) chunks.push(raw.subarray(at, at + size));
    const out = await text(Readable.from(chunks).pipe(new RetargetDatabase('jt_new')));
    expect(out).toBe(HEADER.replace('IF NOT EXISTS*/ `docker`', 'IF NOT EXISTS*/ `jt_new`').replace('\nUSE `docker`;\n', '\nUSE `jt_new`;\n'));
    expect(out.match(/USE `docker`;/g)).toHaveLength(2); // the data and the later line are untouched
  });

  it('passes a file without a USE line through unchanged', async () => {
    const sql = 'SELECT 1;\nSELECT 2;';
    expect(await text(Readable.from([Buffer.from(sql)]).pipe(new RetargetDatabase('x')))).toBe(sql);
  });
});
