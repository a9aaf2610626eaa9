/**
 * Byte plumbing for port-forward: one local TCP connection <-> one process in the debugger (e.g.
 * `nc HOST PORT`) that holds the connection inside the target's network namespace.
 *
 * Both directions keep their own end: the client's FIN ends the process's stdin (the process then
 * half-closes its socket, so request/response protocols see the request's end), and the end of the
 * process's output ends the local connection. A process that fails before sending a single byte
 * (connection refused, unknown host) resets the local connection and reports its stderr.
 */
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { debugLog } from '../log.js';
import type { ExecProcess } from '../runtimes/runtime.js';
import { collectWhileBusy } from '../young-collection.js';

export interface RelayResult {
  /** bytes from the local client to the process */
  sent: number;
  /** bytes from the process to the local client */
  received: number;
  /** set when the process failed before answering: nc's message, or its exit code */
  failure?: string;
}

// stderr kept for the failure message; nc's messages are one short line.
const STDERR_LIMIT = 4096;

export function relay(local: Socket, proc: ExecProcess): Promise<RelayResult> {
  return new Promise((resolve) => {
    let sent = 0;
    let received = 0;
    let stderr = '';
    let failure: string | undefined;
    let localClosed = false;
    let procDone = false;
    const finish = () => {
      if (localClosed && procDone) resolve({ sent, received, failure });
    };

    proc.stdin.on('error', () => undefined); // the process went away; its exit tells the rest
    proc.stdout.on('error', () => local.destroy());
    proc.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < STDERR_LIMIT) stderr += chunk.toString('utf8');
    });

    // local -> process; the client's FIN ends the process's stdin
    local.on('data', (chunk: Buffer) => {
      sent += chunk.length;
    });
    local.pipe(proc.stdin);
    collectWhileBusy(local);

    // process -> local; ended here, once we know whether the process failed
    proc.stdout.on('data', (chunk: Buffer) => {
      received += chunk.length;
    });
    proc.stdout.pipe(local, { end: false });
    collectWhileBusy(proc.stdout);
    proc.stdout.once('end', () => {
      if (received > 0) local.end();
    });

    local.on('error', () => proc.kill());
    local.once('close', () => {
      localClosed = true;
      if (!procDone) proc.kill(); // the client is gone: nothing left to deliver
      finish();
    });

    void proc.exited.then(
      (code) => settle(code),
      () => settle(-1),
    );
    function settle(code: number) {
      procDone = true;
      if (received === 0 && code !== 0 && !localClosed) {
        failure = reason(stderr, code);
        local.resetAndDestroy();
      } else if (!local.writableEnded) {
        local.end();
      }
      finish();
    }
  });
}

/**
 * nc's own message ("nc: can't connect to remote host (127.0.0.1): Connection refused"). An engine may
 * put its own words in the same stream, or lose nc's: Podman does both when the client's bytes reach an
 * nc that already failed ("Error: read unixpacket ...attach: connection reset by peer"). Those are not
 * the reason, so they only reach --debug.
 */
function reason(stderr: string, code: number): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const own = lines.find((l) => l.startsWith('nc: '));
  if (own) return own.slice('nc: '.length);
  if (lines.length) debugLog(`relay: the engine said: ${lines.join(' | ')}`);
  return `nc exited with code ${code} before answering, and the engine lost its message (typically: connection refused or unknown host)`;
}

/**
 * Local connection <-> a socket connected inside the target (src/port-forward/netns.ts), or a stream the
 * engine opened to the target's port (Runtime.nativePorts). Each side's FIN ends the other's write
 * side; a reset on one side resets the other. A stream that fails before its first byte (nothing
 * listens there) resets the local connection and reports why.
 */
export function relaySockets(local: Socket, remote: Duplex): Promise<RelayResult> {
  if (remote instanceof Socket) remote.allowHalfOpen = true; // the server's FIN must not end what the client still sends
  return new Promise((resolve) => {
    let sent = 0;
    let received = 0;
    let failure: string | undefined;
    let open = 2;
    const closed = () => {
      if (--open === 0) resolve({ sent, received, failure });
    };
    local.on('data', (chunk: Buffer) => {
      sent += chunk.length;
    });
    remote.on('data', (chunk: Buffer) => {
      received += chunk.length;
    });
    local.pipe(remote);
    remote.pipe(local);
    collectWhileBusy(local);
    collectWhileBusy(remote);
    local.on('error', () => (remote instanceof Socket ? remote.resetAndDestroy() : remote.destroy()));
    remote.on('error', (e: Error) => {
      // a socket's reset is the peer's own, passed on as a reset; a stream's error says why it failed
      if (received === 0 && !(remote instanceof Socket)) failure = e.message;
      local.resetAndDestroy();
    });
    local.once('close', closed);
    remote.once('close', closed);
  });
}
