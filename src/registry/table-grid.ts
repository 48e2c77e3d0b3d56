import { UsageError } from '../errors.js';

/** A table as read from text: its cells as strings, with 1-based line numbers. */
export interface Grid {
  /** Index (0-based) of the table's first line: the top border, or the Markdown header. */
  start: number;
  /** Index (0-based) of the first line after the table. */
  end: number;
  headerLine: number;
  header: string[];
  rows: { line: number; cells: string[] }[];
}

/** The one error shape of a table problem: where, what, and the next step. */
export function tableError(line: number, problem: string): UsageError {
  return new UsageError(`line ${line}: ${problem}; fix the table and import again`);
}

const RST_BORDER = /^\s*=+(?:[ \t]+=+)*\s*$/;
const MD_SEPARATOR = /^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$/;

/** An RST border (`====  ===`); also matches a heading underline, which is never a host name either. */
export const isRstBorder = (line: string): boolean => RST_BORDER.test(line);

interface Span {
  start: number;
  end: number;
}

const spansOf = (line: string, pattern: RegExp): Span[] =>
  [...line.matchAll(pattern)].map((m) => ({ start: m.index, end: m.index + m[0].length }));

/**
 * Splits an RST row into one cell per column. Each word goes to the column
 * whose span holds its first character, or, when it starts in a gap, to the
 * column on its right: the docs' cells overflow their borders (`kelly-and-leo`)
 * and RST lets the last column run past its border. A cell keeps its inner
 * spacing, so notes with spaces survive.
 */
function splitRstRow(line: string, columns: Span[]): string[] {
  const cells: (Span | undefined)[] = columns.map(() => undefined);
  for (const word of spansOf(line, /\S+/g)) {
    let index = columns.findIndex((column) => word.start < column.end);
    if (index < 0) index = columns.length - 1;
    const cell = cells[index];
    cells[index] = cell ? { start: cell.start, end: word.end } : word;
  }
  return cells.map((cell) => (cell ? line.slice(cell.start, cell.end) : ''));
}

function readRst(lines: string[], start: number): Grid | undefined {
  const border = lines[start] ?? '';
  const headerText = lines[start + 1];
  if (!isRstBorder(border) || headerText === undefined) return undefined;
  const columns = spansOf(border, /=+/g);
  const header = splitRstRow(headerText, columns);
  if (header[0] !== 'Version') return undefined;
  if (!isRstBorder(lines[start + 2] ?? '')) {
    throw tableError(start + 3, 'the header row needs a ==== border line under it');
  }
  const rows: Grid['rows'] = [];
  for (let i = start + 3; i < lines.length; i++) {
    const line = lines[i]!;
    // The bottom border ends the table; the docs' one is ragged, so only its shape matters.
    if (isRstBorder(line)) return { start, end: i + 1, headerLine: start + 2, header, rows };
    if (line.trim() !== '') rows.push({ line: i + 1, cells: splitRstRow(line, columns) });
  }
  throw tableError(start + 2, 'the table has no closing ==== border line');
}

const splitMarkdownRow = (line: string): string[] =>
  line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((cell) => cell.trim());

const isMarkdownRow = (line: string): boolean => line.trimStart().startsWith('|');

function readMarkdown(lines: string[], start: number): Grid | undefined {
  const headerText = lines[start] ?? '';
  if (!isMarkdownRow(headerText) || MD_SEPARATOR.test(headerText)) return undefined;
  const header = splitMarkdownRow(headerText);
  if (header[0] !== 'Version') return undefined;
  if (!MD_SEPARATOR.test(lines[start + 1] ?? '')) {
    throw tableError(start + 2, 'the header row needs a |---| line under it');
  }
  const rows: Grid['rows'] = [];
  let i = start + 2;
  for (; i < lines.length && isMarkdownRow(lines[i]!); i++) {
    const cells = splitMarkdownRow(lines[i]!);
    if (cells.length !== header.length) {
      throw tableError(i + 1, `the row has ${cells.length} cells but the header has ${header.length}`);
    }
    rows.push({ line: i + 1, cells });
  }
  return { start, end: i, headerLine: start + 1, header, rows };
}

/** The port table (RST simple or Markdown pipe table) starting at line index `start`, if one does. */
export function readGridAt(lines: string[], start: number): Grid | undefined {
  return readRst(lines, start) ?? readMarkdown(lines, start);
}

/** A Markdown `|---|` line or an RST border: lines the host-name search skips. */
export const isBorderLine = (line: string): boolean => isRstBorder(line) || MD_SEPARATOR.test(line);
