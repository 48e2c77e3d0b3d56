/**
 * JSON.parse keeps the last of two equal keys in one object without a word,
 * so a registry edited by hand (or merged by git) could silently lose a
 * release or a port. This scan finds such keys in text JSON.parse accepted.
 * It walks the text with an explicit stack, not recursion, so no nesting
 * depth can overflow the call stack.
 */

export interface DuplicateKey {
  /** `hosts.x.releases[2].label`, as the other registry problems name paths. */
  path: string;
  /** Character offsets of the first and the repeated key. */
  first: number;
  again: number;
}

interface Frame {
  path: string;
  /** Keys seen so far, with their offset; undefined for an array. */
  keys: Map<string, number> | undefined;
  index: number;
  /** The key whose value comes next (objects). */
  key: string | undefined;
}

const join = (base: string, key: string) => (base ? `${base}.${key}` : key);

function childPath(frame: Frame | undefined): string {
  if (!frame) return '';
  return frame.keys ? join(frame.path, frame.key ?? '') : `${frame.path}[${frame.index}]`;
}

/** The end (exclusive) of the string literal starting at `start` (its opening quote). */
function stringEnd(text: string, start: number): number {
  let at = start + 1;
  for (;;) {
    const next = text.indexOf('"', at);
    if (next < 0) return text.length;
    let slashes = 0;
    for (let i = next - 1; text[i] === '\\'; i--) slashes++;
    if (slashes % 2 === 0) return next + 1;
    at = next + 1;
  }
}

/** Every key given twice in one object (up to `limit`), in text order. `text` must be valid JSON. */
export function findDuplicateKeys(text: string, limit = 20): DuplicateKey[] {
  const found: DuplicateKey[] = [];
  const stack: Frame[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length && found.length < limit; i++) {
    const c = text[i];
    if (c === '{' || c === '[') {
      stack.push({ path: childPath(stack.at(-1)), keys: c === '{' ? new Map() : undefined, index: 0, key: undefined });
      expectKey = c === '{';
    } else if (c === '}' || c === ']') {
      stack.pop();
      expectKey = false;
    } else if (c === ',') {
      const top = stack.at(-1);
      if (top && !top.keys) top.index++;
      expectKey = top?.keys !== undefined;
    } else if (c === '"') {
      const end = stringEnd(text, i);
      const top = stack.at(-1);
      if (expectKey && top?.keys) {
        // Decoded, so "a" and "\u0061" are the same key, as JSON.parse sees them.
        const key = JSON.parse(text.slice(i, end)) as string;
        const first = top.keys.get(key);
        if (first !== undefined) found.push({ path: join(top.path, key), first, again: i });
        else top.keys.set(key, i);
        top.key = key;
        expectKey = false;
      }
      i = end - 1;
    }
  }
  return found;
}
