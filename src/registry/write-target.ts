import { lstat, readlink } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { errnoCode } from '../util/fs.js';

/** As Linux's own limit on links in one lookup (ELOOP). */
const MAX_LINKS = 40;

/**
 * The file a write to `file` must replace. A registry kept elsewhere and
 * reached through a symlink is written through the link: the atomic rename
 * goes over the link's final target, so the link stays a link (a rename
 * over the link itself would replace it with a plain copy). A dangling
 * link gives its target, which the write then creates.
 */
export async function resolveWriteTarget(file: string): Promise<string> {
  let current = path.resolve(file);
  for (let hops = 0; hops <= MAX_LINKS; hops++) {
    let isLink: boolean;
    try {
      isLink = (await lstat(current)).isSymbolicLink();
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return current;
      throw error;
    }
    if (!isLink) return current;
    current = path.resolve(path.dirname(current), await readlink(current));
  }
  throw new UsageError(`${file} is a chain of more than ${MAX_LINKS} symlinks (a loop?); point it at the registry file directly`);
}
