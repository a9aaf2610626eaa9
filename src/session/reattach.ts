/**
 * Runs an attached session (`sidekick attach`) on the local terminal, the same way on every engine:
 * raw mode and resizes with a TTY, the detach keys watched on stdin, then either the debugger's exit
 * code or a detach that leaves it running.
 */
import type { Writable } from 'node:stream';
import { Backpressure } from '../backpressure.js';
import type { AttachedDebugger } from '../runtimes/runtime.js';
import { DEFAULT_DETACH_KEYS, DetachKeys } from './detach-keys.js';
import type { Cleanup } from './interrupts.js';
import { outputDone, showOutput } from './output.js';
import { enterRawMode, onResize, terminalSize } from './terminal.js';

export type AttachEnd = { detached: true } | { detached: false; code: number };

export async function runAttached(session: AttachedDebugger, cleanup: Cleanup, detachKeys: Buffer = DEFAULT_DETACH_KEYS.bytes, ready?: () => void): Promise<AttachEnd> {
  // however the CLI ends (a signal included), the debugger stays: only the streams close
  cleanup.defer(() => session.detach());
  const { streams } = session;
  if (session.tty) cleanup.defer(enterRawMode());
  showOutput(streams);
  let detach!: () => void;
  const detached = new Promise<AttachEnd>((resolve) => (detach = () => resolve({ detached: true })));
  if (streams.stdin) cleanup.defer(forwardInput(streams.stdin, new DetachKeys(detachKeys), detach));
  // Only now do keys reach the detach check: before raw mode, the terminal itself takes ctrl-q (XON).
  ready?.();
  if (session.tty) {
    const size = terminalSize();
    if (size) await session.resize(size.rows, size.columns);
    cleanup.defer(onResize((s) => void session.resize(s.rows, s.columns)));
  }
  const exited = session.exited.then((code): AttachEnd => ({ detached: false, code }));
  const end = await Promise.race([exited, detached]);
  if (!end.detached) await outputDone(streams);
  return end;
}

/**
 * Local stdin to the debugger, but for the detach keys. An end of local input is not passed on: the
 * debugger's stdin is for the next attach too (as with `docker attach`). Returns the undo.
 */
function forwardInput(remote: Writable, keys: DetachKeys, detach: () => void): () => void {
  const stdin = process.stdin;
  // no faster than the debugger takes it
  const valve = new Backpressure(stdin);
  const onData = (chunk: Buffer) => {
    const { send, detach: leave } = keys.feed(chunk);
    if (send.length) valve.write(remote, send);
    if (leave) detach();
  };
  stdin.on('data', onData);
  return () => {
    valve.stop();
    stdin.off('data', onData);
    stdin.pause();
    (stdin as { unref?: () => void }).unref?.();
  };
}
