import { readdir, readFile } from 'node:fs/promises';

export interface ProcessSample {
  pid: number;
  ppid: number;
  /** The command line, NUL-separated fields joined by spaces. */
  cmdline: string;
}

/** The running processes whose parent is `ppid`: how a test finds the clients its own CLI run started. */
export async function childrenOf(ppid: number): Promise<ProcessSample[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  const all = await Promise.all(
    pids.map(async (pid) => {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
      // Field 4, after the parenthesised name (which may hold spaces and parentheses).
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replace(/\0/g, ' ');
      return { pid: Number(pid), ppid: parent, cmdline };
    }),
  );
  return all.filter((p) => p.ppid === ppid && p.cmdline !== '');
}

/** True while a process with this id runs `pattern` (a pid reused by another program does not count). */
export async function stillRunning(pid: number, pattern: RegExp): Promise<boolean> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  const state = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const zombie = state.slice(state.lastIndexOf(')') + 2).startsWith('Z');
  return !zombie && pattern.test(cmdline.replace(/\0/g, ' '));
}
