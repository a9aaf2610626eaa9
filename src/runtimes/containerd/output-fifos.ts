/**
 * A foreground debugger's output through FIFOs of sidekick's own, bind-mounted into the debugger
 * (the entry script sends its stdout and stderr there first thing, see SIDEKICK_OUTPUT in entry.sh),
 * rather than through the task's stdio that ctr copies. ctr 1.6 (containerd's client before 1.6.22,
 * containerd#8643) closes the task's I/O before it has drained it when the task exits: output that a
 * slow reader had not taken yet was lost, ~110 KB of 1 MB into a reader of 4 MB/s, every time. A FIFO
 * read here holds the command itself back when the local reader is slow, and ends only once the
 * command's last writer has gone and every byte was read.
 */
import { execFile } from 'node:child_process';
import { closeSync, constants, mkdirSync, openSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { openFifo } from './fifo.js';

/** Where the debugger sees the FIFOs' directory. */
export const OUTPUT_MOUNT = '/run/sidekick-output';

export interface OutputFifos {
  /** `ctr run` options: the bind mount, and the variable that tells the entry script */
  runArgs: string[];
  /** opens both for reading; call before the task can start */
  open(): OpenedOutput;
}

export interface OpenedOutput {
  stdout: Readable;
  stderr: Readable;
  /** the task has ended: each stream ends once what its processes wrote has been read */
  taskEnded(): void;
}

/** Makes DIR/output/{stdout,stderr}, writable by whichever user the debugger runs as. */
export async function makeOutputFifos(dir: string): Promise<OutputFifos> {
  const hostDir = join(dir, 'output');
  mkdirSync(hostDir, { mode: 0o711 });
  const paths = ['stdout', 'stderr'].map((name) => join(hostDir, name));
  // Node has no mkfifo(2); coreutils' is on every machine that runs containerd.
  await new Promise<void>((resolve, reject) => execFile('mkfifo', ['-m', '666', '--', ...paths], (e) => (e ? reject(e) : resolve())));
  return {
    runArgs: [`--mount=type=bind,src=${hostDir},dst=${OUTPUT_MOUNT},options=rbind:rw`, `--env=SIDEKICK_OUTPUT=${OUTPUT_MOUNT}`],
    open() {
      const [stdout, stderr] = paths.map(openReader) as [HeldReader, HeldReader];
      return {
        stdout: stdout.stream,
        stderr: stderr.stream,
        taskEnded: () => {
          stdout.release();
          stderr.release();
        },
      };
    },
  };
}

interface HeldReader {
  stream: Socket;
  release(): void;
}

/**
 * A non-blocking reader, and a writer of sidekick's own that keeps it from seeing an end of file
 * before the command has opened its end (a FIFO with no writer reads as ended), until released.
 */
function openReader(path: string): HeldReader {
  const stream = openFifo(path, 'read');
  let keeper: number | undefined = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  return {
    stream,
    release() {
      if (keeper === undefined) return;
      closeSync(keeper);
      keeper = undefined;
    },
  };
}
