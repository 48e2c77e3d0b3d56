import type { PortChange } from './bump.js';

/** One rewritten port mention: `file:line old -> new`. */
export interface PortEdit {
  file: string;
  line: number;
  from: number;
  to: number;
}

/**
 * Replaces whole-number mentions of old ports (`1234`, not `12345`) with the
 * new ones, returning the new text and each edit by line.
 */
export function rewritePorts(file: string, text: string, changes: readonly PortChange[]): { text: string; edits: PortEdit[] } {
  const mapping = new Map(changes.map((c) => [c.from, c.to]));
  const edits: PortEdit[] = [];
  if (mapping.size === 0) return { text, edits };
  const lines = text.split('\n').map((line, index) =>
    line.replace(/\b\d+\b/g, (digits) => {
      const to = mapping.get(Number(digits));
      if (to === undefined || String(Number(digits)) !== digits) return digits;
      edits.push({ file, line: index + 1, from: Number(digits), to });
      return String(to);
    }),
  );
  return { text: lines.join('\n'), edits };
}

export function formatEdit(edit: PortEdit): string {
  return `${edit.file}:${edit.line} ${edit.from} -> ${edit.to}`;
}
