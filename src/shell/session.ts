/**
 * Runs one debugger session, the same way on every engine: wires the local terminal or pipes to the
 * debugger's streams, forwards resizes, turns signals into a clean removal, and returns the exit code
 * the CLI should exit with.
 */
import { EXIT } from '../errors.js';
import { debugLog } from '../log.js';
import type { Debugger, DebuggerSpec, Runtime, Target } from '../runtimes/runtime.js';
import { guardDebugger } from './guard.js';
import { enterRawMode, onResize, terminalSize } from './terminal.js';

const SIGNAL_EXIT: Record<string, number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };
// After the debugger exits, output still in flight gets this long to arrive.
const DRAIN_MS = 2000;

export interface SessionOptions {
  quiet: boolean;
  /** called with a message and the exit code when the session ends because of the target */
  say: (line: string) => void;
}

export async function runSession(
  runtime: Runtime,
  target: Target,
  dbg: Debugger,
  spec: DebuggerSpec,
  opts: SessionOptions,
): Promise<number> {
  const guard = guardDebugger(dbg.orphanCleanup);
  const undo: Array<() => void> = [];
  const cleanup = async () => {
    for (const fn of undo.splice(0).reverse()) fn();
    await dbg.remove().catch((e: unknown) => debugLog(`remove ${dbg.id}: ${String(e)}`));
    debugLog('removed');
    guard.release();
  };

  // Signals of the CLI end the session and remove the debugger before sidekick exits.
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    if (!opts.quiet) process.stderr.write(`\nsidekick: ${signal}, removing the debugger\n`);
    void cleanup().finally(() => process.exit(SIGNAL_EXIT[signal] ?? EXIT.FAILURE));
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, onSignal);
    undo.push(() => process.off(signal, onSignal));
  }

  try {
    const exited = dbg.wait();
    const streams = await dbg.attach();
    debugLog('attached');

    if (spec.tty) {
      undo.push(enterRawMode());
      streams.stdout.pipe(process.stdout, { end: false });
    } else {
      streams.stdout.pipe(process.stdout, { end: false });
      streams.stderr?.pipe(process.stderr, { end: false });
    }
    if (streams.stdin) pipeStdin(streams.stdin, spec.tty, undo);

    await dbg.start();
    debugLog('started');
    if (spec.tty) {
      const size = terminalSize();
      if (size) await dbg.resize(size.rows, size.columns);
      undo.push(onResize((s) => void dbg.resize(s.rows, s.columns)));
    }

    const code = await exited;
    debugLog(`exited with ${code}`);
    await Promise.race([streams.ended, new Promise((r) => setTimeout(r, DRAIN_MS).unref())]);
    if (interrupted) return await new Promise<number>(() => undefined); // the signal handler exits
    // A debugger killed outright (137) usually means the target's pid namespace went away.
    if (code === 137 && !(await runtime.isRunning(target))) {
      opts.say(`the target ${target.address} stopped during the session; the debugger was removed`);
      return EXIT.TARGET_STOPPED;
    }
    return code;
  } finally {
    if (!interrupted) await cleanup();
  }
}

function pipeStdin(remote: NodeJS.WritableStream, tty: boolean, undo: Array<() => void>): void {
  const stdin = process.stdin;
  const onData = (chunk: Buffer) => remote.write(chunk);
  // A TTY session ends its input with ^D: closing the socket's write side would cut the output.
  const onEnd = () => (tty ? remote.write('\x04') : remote.end());
  stdin.on('data', onData);
  stdin.once('end', onEnd);
  undo.push(() => {
    stdin.off('data', onData);
    stdin.off('end', onEnd);
    stdin.pause();
    stdin.unref?.();
  });
}
