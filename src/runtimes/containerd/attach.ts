/**
 * `sidekick attach` on containerd and nerdctl: sidekick joins the task's I/O FIFOs itself (fifo.ts),
 * waits for its end and sets its terminal's size through containerd's Tasks API (task-status.ts),
 * as it does on every other engine: the local terminal stays sidekick's, so ctrl-p ctrl-q detaches
 * (the FIFOs are closed, the task runs on), and input or output can be pipes whether or not the
 * debugger has a TTY. (`ctr tasks attach` takes the terminal, forwards signals to the task, and
 * panics when none of its stdio is a terminal.) A task that ended stays STOPPED until it is
 * deleted; containerd tells its exit code and end time.
 */
import type { Socket } from 'node:net';
import { UserError } from '../../errors.js';
import type { TargetAddress } from '../address.js';
import { engineLost, noSession, notAttachable, sessionEnded } from '../errors.js';
import { LABEL, ROLE_DEBUGGER, type AttachedDebugger } from '../runtime.js';
import type { Ctr } from './ctr.js';
import type { TaskState } from './ctr-text.js';
import { openFifo } from './fifo.js';
import { resizeTaskPty, taskProcess, waitTask } from './task-status.js';

export interface CtrAttachContext {
  ctr: Ctr;
  namespace: string;
  /** "containerd" or "nerdctl", for messages */
  label: string;
  /** removes the container and its snapshot; `running` when its task may still be alive */
  removeContainer(running: boolean): Promise<void>;
}

export interface CtrDebuggerState {
  labels: Record<string, string>;
  task?: TaskState;
}

export async function attachCtrDebugger(o: CtrAttachContext, address: TargetAddress, found: CtrDebuggerState | undefined): Promise<AttachedDebugger> {
  const name = address.name;
  const { socket } = o.ctr;
  if (!found || found.labels[LABEL.role] !== ROLE_DEBUGGER) throw noSession(address.raw);
  const task = found.task && (await taskProcess(socket, o.namespace, name));
  if (found.task?.status !== 'RUNNING') {
    await o.removeContainer(true).catch(() => undefined);
    throw sessionEnded(name, task?.exitStatus, task?.exitedAt);
  }
  if (found.labels[LABEL.detached] !== 'true') throw notAttachable(name, `it is the live session of ${found.labels[LABEL.owner] ?? 'another sidekick'}`);
  if (!task) throw new UserError(`cannot read the task of session ${name} from ${o.label}`, { hint: 'run again with --debug for details' });
  if (!task.stdout) throw notAttachable(name, 'its task has no output to join');

  // none of these blocks: the shim holds the other end of each
  const outputs: Socket[] = [];
  let stdin: Socket | undefined;
  try {
    outputs.push(openFifo(task.stdout, 'read'));
    if (!task.terminal && task.stderr) outputs.push(openFifo(task.stderr, 'read'));
    if (task.stdin) stdin = openFifo(task.stdin, 'write');
  } catch (e) {
    for (const output of outputs) output.destroy();
    throw cannotOpen(name, e);
  }
  const [stdout, stderr] = outputs as [Socket, Socket?];
  const ended = Promise.all(outputs.map((output) => new Promise((resolve) => output.once('close', resolve)))).then(() => undefined);
  const wait = waitTask(socket, o.namespace, name);
  return {
    name,
    tty: task.terminal,
    streams: { stdin, stdout, stderr, ended },
    exited: wait.exitCode.catch((e: unknown) => {
      throw engineLost(o.label, socket, e);
    }),
    resize: (rows, columns) => resizeTaskPty(socket, o.namespace, name, rows, columns).catch(() => undefined),
    // the shim holds its own ends of the FIFOs: closing ours leaves the task running
    detach: () => {
      wait.cancel();
      stdin?.end();
      for (const output of outputs) output.destroy();
    },
    remove: () => o.removeContainer(true),
  };
}

function cannotOpen(name: string, e: unknown): UserError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') {
    return new UserError(`cannot open the I/O of session ${name}: its FIFOs are root's`, { hint: 'run sidekick as root, as ctr itself would need', kind: 'denied', cause: e });
  }
  if (code === 'ENXIO' || code === 'ENOENT') return sessionEnded(name, undefined);
  return new UserError(`cannot open the I/O of session ${name}: ${(e as Error).message}`, { hint: 'run again with --debug for details', cause: e });
}
