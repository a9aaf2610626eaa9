/**
 * Runs an attached session (`sidekick attach`) on the local terminal, the same way on every engine:
 * raw mode and resizes with a TTY, the detach keys watched on stdin, then either the debugger's exit
 * code or a detach that leaves it running.
 */
import type { AttachedDebugger } from '../runtimes/runtime.js';
import { DEFAULT_DETACH_KEYS, DetachKeys } from './detach-keys.js';
import type { Cleanup } from './interrupts.js';
import { enterRawMode, onResize, terminalSize } from './terminal.js';

// After the debugger exits, output still in flight gets this long to arrive.
const DRAIN_MS = 2000;

export type AttachEnd = { detached: true } | { detached: false; code: number };

export async function runAttached(session: AttachedDebugger, cleanup: Cleanup, detachKeys: Buffer = DEFAULT_DETACH_KEYS.bytes): Promise<AttachEnd> {
  // however the CLI ends (a signal included), the debugger stays: only the streams close
  cleanup.defer(() => session.detach());
  const { streams } = session;
  if (session.tty) cleanup.defer(enterRawMode());
  streams.stdout.pipe(process.stdout, { end: false });
  streams.stderr?.pipe(process.stderr, { end: false });
  let detach!: () => void;
  const detached = new Promise<AttachEnd>((resolve) => (detach = () => resolve({ detached: true })));
  if (streams.stdin) cleanup.defer(forwardInput(streams.stdin, new DetachKeys(detachKeys), detach));
  if (session.tty) {
    const size = terminalSize();
    if (size) await session.resize(size.rows, size.columns);
    cleanup.defer(onResize((s) => void session.resize(s.rows, s.columns)));
  }
  const exited = session.exited.then((code): AttachEnd => ({ detached: false, code }));
  const end = await Promise.race([exited, detached]);
  if (!end.detached) await Promise.race([streams.ended, new Promise((r) => setTimeout(r, DRAIN_MS).unref())]);
  return end;
}

/**
 * Local stdin to the debugger, but for the detach keys. An end of local input is not passed on: the
 * debugger's stdin is for the next attach too (as with `docker attach`). Returns the undo.
 */
function forwardInput(remote: NodeJS.WritableStream, keys: DetachKeys, detach: () => void): () => void {
  const stdin = process.stdin;
  const onData = (chunk: Buffer) => {
    const { send, detach: leave } = keys.feed(chunk);
    if (send.length) remote.write(send);
    if (leave) detach();
  };
  stdin.on('data', onData);
  return () => {
    stdin.off('data', onData);
    stdin.pause();
    (stdin as { unref?: () => void }).unref?.();
  };
}
