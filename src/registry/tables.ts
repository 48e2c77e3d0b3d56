import { nearest } from '../util/nearest.js';
import { markSharedPorts } from './shared-ports.js';
import { isBorderLine, readGridAt, tableError, type Grid } from './table-grid.js';
import { PORT_COLUMN, PORT_FIELDS, isHostName, type PortField, type Registry, type Release } from './schema.js';

type TableField = 'label' | 'tag' | 'notes' | PortField;

/** The docs' column names, in table order (`viz` and `dbs-notes` only when a host has them). */
const COLUMN_FIELDS = new Map<string, TableField>([
  ['Version', 'label'],
  ...PORT_FIELDS.map((field) => [PORT_COLUMN[field], field] as [string, TableField]),
  ['git-tag', 'tag'],
  ['dbs-notes', 'notes'],
]);

export interface RenderOptions {
  format: 'rst' | 'markdown';
  /** Only this host (a host not in the registry renders nothing). */
  host?: string;
}

function columnsFor(releases: Release[]): [string, TableField][] {
  const has = (field: TableField) => releases.some((release) => release[field] !== undefined);
  return [...COLUMN_FIELDS].filter(([, field]) => (field !== 'viz' && field !== 'notes') || has(field));
}

function rstLines([header, ...body]: string[][]): string[] {
  // A loop, not Math.max(...rows): spreading a few hundred thousand rows (a 7 MB registry) overflows the call stack.
  const widths = header!.map((_, c) => [header!, ...body].reduce((widest, row) => Math.max(widest, row[c]!.length), 0));
  const border = widths.map((width) => '='.repeat(width)).join('  ');
  // Trailing spaces are trimmed, as the docs have them.
  const line = (row: string[]) => row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd();
  return [border, line(header!), border, ...body.map(line), border];
}

function markdownLines([header, ...body]: string[][]): string[] {
  const line = (row: string[]) => `| ${row.join(' | ')} |`;
  return [line(header!), `|${header!.map(() => '---').join('|')}|`, ...body.map(line)];
}

/**
 * The docs' port tables: per host, its name, a blank line and a table (RST
 * simple table or Markdown pipe table); a blank line between hosts. Cells are
 * printed as recorded, so `parseTables` reads back the same rows.
 */
export function renderTables(registry: Registry, options: RenderOptions): string {
  const blocks = Object.entries(registry.hosts)
    .filter(([name]) => options.host === undefined || name === options.host)
    .map(([name, { releases }]) => {
      const columns = columnsFor(releases);
      const rows = [columns.map(([column]) => column), ...releases.map((r) => columns.map(([, field]) => String(r[field] ?? '')))];
      return [name, '', ...(options.format === 'markdown' ? markdownLines(rows) : rstLines(rows))].join('\n');
    });
  return blocks.length === 0 ? '' : `${blocks.join('\n\n')}\n`;
}

/** A host's table as imported: its rows, and 1-based lines for messages. */
export interface ImportedHost {
  name: string;
  releases: Release[];
  /** Line of the host name. */
  line: number;
  /** Line of each row, by release index. */
  rowLines: number[];
}

function fieldsOf(header: string[], line: number): TableField[] {
  const seen = new Set<TableField>();
  return header.map((name, index) => {
    if (name === '') throw tableError(line, `column ${index + 1} of the header row has no name`);
    const field = COLUMN_FIELDS.get(name);
    if (!field) {
      const [hint] = nearest(name, COLUMN_FIELDS.keys(), 1);
      const known = [...COLUMN_FIELDS.keys()].join(', ');
      throw tableError(line, `unknown column "${name}" (${hint ? `did you mean ${hint}? ` : ''}known: ${known})`);
    }
    if (seen.has(field)) throw tableError(line, `column "${name}" appears twice`);
    seen.add(field);
    return field;
  });
}

/** A port cell: digits are a port, text without digits (`na`, `n/a`) is kept as written. */
function portValue(text: string, column: string, line: number): number | string {
  if (/^\d+$/.test(text)) {
    const port = Number(text);
    if (port < 1 || port > 65535) throw tableError(line, `the ${column} cell ${text} is not a port (1-65535)`);
    return port;
  }
  if (/\d/.test(text)) throw tableError(line, `the ${column} cell "${text}" mixes digits and other characters; write a port number, or text such as n/a`);
  if (!/^[^\s|]{1,12}$/.test(text)) throw tableError(line, `the ${column} cell "${text}" must be a port number or one short word such as n/a`);
  return text;
}

function releaseOf(fields: TableField[], header: string[], { line, cells }: Grid['rows'][number]): Release {
  const label = cells[0] ?? '';
  if (label === '') throw tableError(line, 'the Version cell is empty; every row needs a label');
  const release: Release = { label };
  fields.forEach((field, c) => {
    const text = cells[c] ?? '';
    const column = header[c]!;
    if (text === '') return;
    if (field === 'label' || field === 'tag') {
      if (/\s/.test(text)) throw tableError(line, `the ${column} cell "${text}" must be one word`);
      release[field] = text;
    } else if (field === 'notes') {
      if (text.includes('|')) throw tableError(line, `the ${column} cell must not contain "|"`);
      release.notes = text;
    } else {
      release[field] = portValue(text, column, line);
    }
  });
  return release;
}

/** The nearest non-blank, non-border line above the table, down to `floor` (the end of the previous table). */
function hostAbove(lines: string[], grid: Grid, floor: number): { name: string; line: number } {
  for (let j = grid.start - 1; j >= floor; j--) {
    const text = lines[j]!.trim();
    if (text === '' || isBorderLine(text)) continue;
    const name = text.replace(/^#+\s*/, '').replace(/\s+#+$/, '');
    if (!isHostName(name)) {
      throw tableError(j + 1, `"${name}" (above the table at line ${grid.headerLine}) is not a host name; put the Docker host's name on its own line above the table`);
    }
    return { name, line: j + 1 };
  }
  throw tableError(grid.headerLine, "no host name above this table; put the Docker host's name on its own line above it");
}

/**
 * Reads every port table in `text`: RST simple tables and Markdown pipe tables
 * whose header row starts with `Version`, each under its host's name. Ports an
 * earlier row of the same host already used are recorded as shared with the
 * reason `historic`. Throws a UsageError naming the line of the first problem.
 */
export function parseTables(text: string): { hosts: ImportedHost[] } {
  const lines = text.split(/\r?\n/);
  const hosts: ImportedHost[] = [];
  let floor = 0;
  for (let i = 0; i < lines.length; i++) {
    const grid = readGridAt(lines, i);
    if (!grid) continue;
    const { name, line } = hostAbove(lines, grid, floor);
    const earlier = hosts.find((host) => host.name === name);
    if (earlier) throw tableError(line, `host ${name} already has a table at line ${earlier.line}`);
    const fields = fieldsOf(grid.header, grid.headerLine);
    const releases = markSharedPorts(
      grid.rows.map((row) => releaseOf(fields, grid.header, row)),
      () => 'historic',
    );
    hosts.push({ name, releases, line, rowLines: grid.rows.map((row) => row.line) });
    floor = grid.end;
    i = grid.end - 1;
  }
  return { hosts };
}
