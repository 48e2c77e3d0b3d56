import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import os from 'node:os';

/** Syslog severities (RFC 5424 §6.2.1): lower is more severe. */
export const SEVERITY = { critical: 2, error: 3, warning: 4, info: 6, debug: 7 } as const;

/** Python logging level names, as the admin routes take them, to the least severe severity that passes. */
export const PYTHON_LEVEL_SEVERITY: Record<string, number> = {
  CRITICAL: SEVERITY.critical,
  ERROR: SEVERITY.error,
  WARNING: SEVERITY.warning,
  INFO: SEVERITY.info,
  DEBUG: SEVERITY.debug,
  NOTSET: SEVERITY.debug,
};

export type SyslogTransport = 'udp' | 'tcp';

export interface SyslogTarget {
  host: string;
  port: number;
  transport: SyslogTransport;
  /** Lines less severe than this (numerically greater) are not sent. */
  maxSeverity: number;
}

export interface SyslogSink {
  readonly target: SyslogTarget;
  /** Sends one line if `severity` passes the sink's level; never throws. */
  send(severity: number, message: string): void;
  close(): Promise<void>;
}

const FACILITY_USER = 1;
const CONNECT_TIMEOUT_MS = 3_000;
const MAX_TCP_BACKLOG_BYTES = 1024 * 1024;

/**
 * One RFC 5424 line: `<PRI>1 TIMESTAMP HOST APP PROCID MSGID - MSG`, facility
 * user (as Python's SysLogHandler). Line breaks in the message are flattened
 * so a TCP receiver's newline framing holds.
 */
export function formatSyslogLine(severity: number, message: string, now = new Date(), host = os.hostname(), pid = process.pid): string {
  const safe = message.replace(/[\r\n]+/g, ' ');
  return `<${FACILITY_USER * 8 + severity}>1 ${now.toISOString()} ${host || '-'} jobmon-server ${pid} request - ${safe}`;
}

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out`)), CONNECT_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function openUdp(target: SyslogTarget): Promise<SyslogSink> {
  const { address, family } = await withTimeout(lookup(target.host), `resolving ${target.host}`);
  const socket = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
  // A receiver that is down answers with ICMP; that must not crash the server.
  socket.on('error', () => undefined);
  await withTimeout(
    new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(target.port, address, () => {
        socket.off('error', reject);
        resolve();
      });
    }),
    `connecting to ${target.host}:${target.port}`,
  ).catch((error: unknown) => {
    socket.close();
    throw error;
  });
  return {
    target,
    send(severity, message) {
      if (severity <= target.maxSeverity) socket.send(formatSyslogLine(severity, message), () => undefined);
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

function connectTcp(target: SyslogTarget): Promise<net.Socket> {
  return withTimeout(
    new Promise<net.Socket>((resolve, reject) => {
      const socket = net.createConnection({ host: target.host, port: target.port });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        socket.on('error', () => undefined);
        socket.setNoDelay(true);
        resolve(socket);
      });
    }),
    `connecting to ${target.host}:${target.port}`,
  );
}

/** TCP with newline framing (RFC 6587 non-transparent). Lines are dropped while the receiver is away, then it is dialled again. */
async function openTcp(target: SyslogTarget): Promise<SyslogSink> {
  let socket: net.Socket | undefined = await connectTcp(target);
  let redialing = false;
  let closed = false;
  return {
    target,
    send(severity, message) {
      if (severity > target.maxSeverity || closed) return;
      if (socket && !socket.destroyed && socket.writable) {
        // A receiver that stops reading must not make the server buffer without bound.
        if (socket.writableLength < MAX_TCP_BACKLOG_BYTES) socket.write(`${formatSyslogLine(severity, message)}\n`);
      } else if (!redialing) {
        redialing = true;
        connectTcp(target)
          .then((fresh) => (closed ? fresh.destroy() : (socket = fresh)))
          .catch(() => undefined)
          .finally(() => (redialing = false));
      }
    },
    async close() {
      closed = true;
      const open = socket;
      socket = undefined;
      if (!open || open.destroyed) return;
      // Flush what is queued, but never wait on a receiver that stopped reading.
      await new Promise<void>((resolve) => {
        open.once('close', () => resolve());
        open.end();
        setTimeout(() => open.destroy(), 1_000).unref();
      });
    },
  };
}

/** Opens a sink and proves it can reach the receiver (TCP connects; UDP resolves and connects its socket). */
export function openSyslogSink(target: SyslogTarget): Promise<SyslogSink> {
  if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535) {
    return Promise.reject(new Error(`port ${target.port} is out of range 1-65535`));
  }
  return target.transport === 'tcp' ? openTcp(target) : openUdp(target);
}
