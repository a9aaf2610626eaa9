/**
 * The debugger's output on the local stdout and stderr, the same for `exec` and `attach`. Piped, so
 * a slow reader holds the debugger back instead of this process buffering what it cannot take yet;
 * and waited for at the end, so a session is over only once its output has been handed on.
 */
import type { Readable } from 'node:stream';
import type { DebuggerStreams } from '../runtimes/runtime.js';
import { readEnd } from '../stream-end.js';
import { collectWhileBusy, OUTPUT_EVERY } from '../young-collection.js';

// After the debugger exits, an output that does not end (an engine that keeps the stream open) is
// given up on once this long has gone by with nothing arriving and nothing waiting for the local reader.
const QUIET_MS = 2000;

export function showOutput(streams: DebuggerStreams): void {
  streams.stdout.pipe(process.stdout, { end: false });
  streams.stderr?.pipe(process.stderr, { end: false });
  collectWhileBusy(streams.stdout, OUTPUT_EVERY);
  if (streams.stderr) collectWhileBusy(streams.stderr, OUTPUT_EVERY);
}

/**
 * Resolves once the debugger's output has ended and gone to the local stdout and stderr (what their
 * readers have not taken yet is for the CLI's exit to wait for), or once it has been quiet for QUIET_MS.
 * A slow reader is waited for as long as it takes: its output is still coming.
 */
export function outputDone(streams: DebuggerStreams): Promise<void> {
  const outputs = [streams.stdout, streams.stderr].filter((s): s is Readable => s !== undefined);
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => (localBacklog() ? arm() : done()), QUIET_MS);
    };
    const done = () => {
      clearTimeout(timer);
      for (const output of outputs) output.off('data', arm);
      resolve();
    };
    for (const output of outputs) output.on('data', arm);
    arm();
    void Promise.all([streams.ended, ...outputs.map(readEnd)]).then(done);
  });
}

const localBacklog = () => process.stdout.writableLength > 0 || process.stderr.writableLength > 0;
