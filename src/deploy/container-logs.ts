import type Docker from 'dockerode';

/**
 * Splits the Engine API's multiplexed log stream (containers without a TTY):
 * frames of an 8-byte header (stream, 0, 0, 0, big-endian size) and payload.
 * Text that is not framed is taken as it is.
 */
export function demuxLogs(buffer: Buffer): string {
  const parts: string[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const kind = buffer[offset]!;
    const size = buffer.readUInt32BE(offset + 4);
    if (kind > 2 || buffer[offset + 1] !== 0 || offset + 8 + size > buffer.length) return buffer.toString('utf8');
    parts.push(buffer.subarray(offset + 8, offset + 8 + size).toString('utf8'));
    offset += 8 + size;
  }
  return offset === 0 ? buffer.toString('utf8') : parts.join('');
}

/** The last `count` lines a container wrote (stdout and stderr), or none when it cannot be read. */
export async function lastLogLines(docker: Docker, container: string, count = 50): Promise<string[]> {
  try {
    const raw = (await docker.getContainer(container).logs({ stdout: true, stderr: true, tail: count, follow: false })) as unknown as Buffer;
    return demuxLogs(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw)))
      .split('\n')
      .map((l) => l.trimEnd())
      .filter((l) => l !== '')
      .slice(-count);
  } catch {
    return [];
  }
}
