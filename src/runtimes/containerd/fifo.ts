/**
 * A task's I/O FIFOs (the paths containerd gives, task-status.ts), opened by sidekick itself rather
 * than through `ctr tasks attach`: then ending an attach is closing them, with no ctr to kill
 * (ctr would pass any other signal on to the task, and a killed ctr loses the input it had not
 * copied yet). The shim keeps an end of its own open on each (a writer on stdin, a reader on
 * stdout and stderr), so closing ours neither ends the task's input nor stops its output; output
 * made while nobody is attached waits in the FIFO (up to its 64 KiB) for the next attach.
 */
import { constants, existsSync, openSync, readdirSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';

/** The FIFO as a non-blocking stream; throws (ENXIO) when nothing holds its other end any more. */
export function openFifo(path: string, direction: 'read' | 'write'): Socket {
  const fd = openSync(path, (direction === 'read' ? constants.O_RDONLY : constants.O_WRONLY) | constants.O_NONBLOCK);
  const fifo = new Socket({ fd, readable: direction === 'read', writable: direction === 'write' });
  fifo.on('error', () => undefined); // the task may be gone before its streams are: its end says so
  return fifo;
}

/** The stdin and stdout FIFOs that ctr made for task ID (`ctr run --fifo-dir`: a directory of their own under fifoDir), if there. */
export function taskFifos(fifoDir: string, id: string): { stdin: string; stdout: string } | undefined {
  for (const dir of readdirSync(fifoDir)) {
    const stdin = join(fifoDir, dir, `${id}-stdin`);
    if (existsSync(stdin)) return { stdin, stdout: join(fifoDir, dir, `${id}-stdout`) };
  }
  return undefined;
}
