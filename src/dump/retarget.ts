import { Transform, type TransformCallback } from 'node:stream';

/** Backquotes a database name as SQL does. */
const quoteName = (name: string) => `\`${name.replace(/`/g, '``')}\``;

const CREATE = /^(CREATE DATABASE (?:\/\*!32312 IF NOT EXISTS\*\/ )?)`(?:[^`]|``)+`/;
const USE = /^USE `(?:[^`]|``)+`;/;

/**
 * A dump made with `--databases` names its database in one `CREATE DATABASE`
 * and one `USE` line at the top. This gives such a line the target's name
 * instead (undefined for any other line), so a dump loads into the
 * release's database whatever the database it came from was called.
 */
export function retargetLine(line: string, database: string): string | undefined {
  const create = CREATE.exec(line);
  if (create) return `${create[1]}${quoteName(database)}${line.slice(create[0].length)}`;
  const use = USE.exec(line);
  if (use) return `USE ${quoteName(database)};${line.slice(use[0].length)}`;
  return undefined;
}

/** How far into a dump its `USE` line may be; past that the stream passes on unchanged. */
const HEADER_LIMIT = 1 << 20;

/**
 * Rewrites the header's `CREATE DATABASE` and `USE` lines (retargetLine) and
 * passes everything from the line after `USE` on untouched, chunk by chunk.
 */
export class RetargetDatabase extends Transform {
  #pending: Buffer = Buffer.alloc(0);
  #seen = 0;
  #done = false;
  readonly #database: string;

  constructor(database: string) {
    super();
    this.#database = database;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.#done) return callback(null, chunk);
    this.#seen += chunk.length;
    const data = this.#pending.length > 0 ? Buffer.concat([this.#pending, chunk]) : chunk;
    let start = 0;
    for (let nl = data.indexOf(10, start); nl >= 0 && !this.#done; nl = data.indexOf(10, start)) {
      const line = data.subarray(start, nl + 1);
      const text = line.toString('utf8');
      const replaced = retargetLine(text, this.#database);
      this.push(replaced === undefined ? line : Buffer.from(replaced, 'utf8'));
      if (replaced !== undefined && text.startsWith('USE ')) this.#done = true;
      start = nl + 1;
    }
    const rest = data.subarray(start);
    if (this.#done || this.#seen > HEADER_LIMIT) {
      this.#done = true;
      this.#pending = Buffer.alloc(0);
      return callback(null, rest.length > 0 ? rest : undefined);
    }
    this.#pending = Buffer.from(rest);
    callback();
  }

  override _flush(callback: TransformCallback): void {
    callback(null, this.#pending.length > 0 ? this.#pending : undefined);
  }
}
