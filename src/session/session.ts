/**
 * Runs one debugger session, the same way on every engine: wires the local terminal or pipes to the
 * debugger's streams, forwards resizes, and returns the exit code the CLI should exit with.
 * Removal of the debugger is registered in the Cleanup, which also runs when a signal interrupts.
 */
import { EXIT, isKind } from '../errors.js';
import { debugLog } from '../log.js';
import { engineLost } from '../runtimes/errors.js';
import type { Debugger, DebuggerSpec, Runtime, Target } from '../runtimes/runtime.js';
import type { Writable } from 'node:stream';
import { Backpressure } from '../backpressure.js';
import type { Cleanup } from './interrupts.js';
import { outputDone, showOutput } from './output.js';
import { enterRawMode, onResize, terminalSize } from './terminal.js';

export interface SessionOptions {
  cleanup: Cleanup;
  /** tells the user something about the session's end */
  say: (line: string) => void;
}

export async function runSession(runtime: Runtime, target: Target, dbg: Debugger, spec: DebuggerSpec, opts: SessionOptions): Promise<number> {
  const { cleanup } = opts;
  const { streams, exited } = await dbg.launch({
    attached: (streams) => {
      if (spec.tty) cleanup.defer(enterRawMode());
      showOutput(streams);
      if (streams.stdin) cleanup.defer(pipeStdin(streams.stdin, spec.tty));
    },
  });
  debugLog('started');
  if (spec.tty) {
    const size = terminalSize();
    if (size) await dbg.resize(size.rows, size.columns);
    cleanup.defer(onResize((s) => void dbg.resize(s.rows, s.columns)));
  }

  const code = await exited.catch((e: unknown) => {
    // the debugger could not run its toolkit: the engine answered, and said so
    if (isKind(e, 'toolkit')) throw e;
    throw engineLost(runtime.engine, runtime.endpoint, e);
  });
  debugLog(`exited with ${code}`);
  await outputDone(streams);
  // A debugger ended by a signal (137: its pid namespace went away; 143: Kubernetes stopping the pod)
  // usually means the target stopped: then say so, with an exit code of its own. An engine that
  // cannot tell has stopped answering, which is said as that.
  if (code >= 128 && target.running && !(await stillRunning(runtime, target))) {
    opts.say(`the target ${target.address} stopped during the session; the debugger was removed`);
    return EXIT.TARGET_STOPPED;
  }
  return code;
}

/** Whether the target runs, or the engine's failure to say so as a lost engine. */
export async function stillRunning(runtime: Runtime, target: Target): Promise<boolean> {
  try {
    return await runtime.isRunning(target);
  } catch (e) {
    throw engineLost(runtime.engine, runtime.endpoint, e);
  }
}

/** Sends local stdin to the debugger, no faster than it takes it; returns the undo. */
function pipeStdin(remote: Writable, tty: boolean): () => void {
  const stdin = process.stdin;
  const valve = new Backpressure(stdin);
  const onData = (chunk: Buffer) => valve.write(remote, chunk);
  // A TTY session ends its input with ^D: closing the socket's write side would cut the output.
  const onEnd = () => (tty ? remote.write('\x04') : remote.end());
  stdin.on('data', onData);
  stdin.once('end', onEnd);
  return () => {
    valve.stop();
    stdin.off('data', onData);
    stdin.off('end', onEnd);
    stdin.pause();
    (stdin as { unref?: () => void }).unref?.();
  };
}
