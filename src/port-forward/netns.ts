/**
 * Connections made from the target's network namespace directly, when the engine runs on this machine
 * and sidekick may enter namespaces (root): a helper process (netns-helper.ts) started with nsenter
 * connects there and passes each connected socket back over its IPC channel. The CLI then relays
 * kernel socket to kernel socket, which is several times faster than a stream through the engine's
 * exec API (see README, Benchmarks). Anything missing (nsenter, privileges, a remote engine) makes
 * start() fail with the reason, and port-forward falls back to exec.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import type { HelperReply, HelperRequest } from './netns-helper.js';
import { ownEntry } from '../self.js';

// nsenter and node together start in well under a second; a helper that takes longer is stuck.
const START_MS = 10_000;

export class ConnectError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

export interface NetnsConnector {
  /** the namespace the helper entered, as /proc/self/ns/net reads there, e.g. net:[4026532601] */
  readonly netns: string;
  /** false once the helper is gone */
  readonly alive: boolean;
  connect(host: string, port: number): Promise<Socket>;
  close(): void;
}

/** Starts the helper in the network namespace of process `pid` (as this machine numbers it). */
export async function startNetnsConnector(pid: number): Promise<NetnsConnector> {
  const entry = ownEntry('netns-helper');
  if (!entry) throw new Error('no netns helper next to the CLI');
  const child: ChildProcess = spawn('nsenter', [`--net=/proc/${pid}/ns/net`, '--', ...entry, `/proc/${pid}/root`], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-500)));
  const pending = new Map<number, { resolve: (s: Socket) => void; reject: (e: Error) => void }>();
  let alive = true;
  let nextId = 0;

  const netns = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the helper did not start')), START_MS);
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(new Error(why));
    };
    child.once('error', (e) => fail(e.message.includes('ENOENT') ? 'nsenter is not installed' : e.message));
    child.once('exit', (code) => fail(`nsenter failed (exit code ${code}): ${stderr.trim().split('\n').at(-1) ?? ''}`));
    child.once('message', (reply: HelperReply) => {
      clearTimeout(timer);
      if ('ready' in reply) resolve(reply.netns);
      else reject(new Error('the helper answered out of turn'));
    });
  }).catch((e: unknown) => {
    child.kill();
    throw e;
  });

  child.on('message', (reply: HelperReply, socket?: Socket) => {
    if (!('id' in reply)) return;
    const waiter = pending.get(reply.id);
    pending.delete(reply.id);
    if (!waiter) return void socket?.destroy();
    if (reply.ok && socket) waiter.resolve(socket);
    else waiter.reject(new ConnectError(reply.ok ? 'no socket came back' : describe(reply.code, reply.message), reply.ok ? undefined : reply.code));
  });
  child.on('exit', () => {
    alive = false;
    for (const waiter of pending.values()) waiter.reject(new ConnectError('the namespace helper stopped'));
    pending.clear();
  });
  // The helper must never keep the CLI running.
  child.unref();
  (child as unknown as { channel?: { unref(): void } }).channel?.unref();

  return {
    netns,
    get alive() {
      return alive;
    },
    connect(host, port) {
      if (!alive) return Promise.reject(new ConnectError('the namespace helper stopped'));
      return new Promise((resolve, reject) => {
        const id = ++nextId;
        pending.set(id, { resolve, reject });
        child.send({ id, host, port } satisfies HelperRequest);
      });
    },
    close() {
      alive = false;
      child.kill();
    },
  };
}

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'unknown host',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'timed out',
  ECONNRESET: 'connection reset',
  EADDRNOTAVAIL: 'address not available in the target',
};

function describe(code: string | undefined, message: string): string {
  const reason = code ? REASONS[code] : undefined;
  return reason ? `${reason} (${message.replace(/^(connect|getaddrinfo) /, '')})` : message;
}
