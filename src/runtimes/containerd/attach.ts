/**
 * `sidekick attach` on containerd and nerdctl: `ctr tasks attach` joins the task's I/O again. With a
 * TTY, ctr takes the local terminal itself (raw mode, resizes through SIGWINCH), as `ctr run` does;
 * without, its stdio are pipes, and it runs in a process group of its own so that the terminal's
 * signals are sidekick's. ctr exits with the task's exit code. A task that ended stays STOPPED
 * until it is deleted, which tells its exit code (ctr knows no end time).
 */
import { PassThrough } from 'node:stream';
import type { TargetAddress } from '../address.js';
import { noSession, notAttachable, sessionEnded } from '../errors.js';
import { LABEL, ROLE_DEBUGGER, type AttachedDebugger, type DebuggerStreams } from '../runtime.js';
import type { Ctr } from './ctr.js';
import type { TaskState } from './ctr-text.js';

export interface CtrAttachContext {
  ctr: Ctr;
  namespace: string;
  /** removes the container and its snapshot; `running` when its task may still be alive */
  removeContainer(running: boolean): Promise<void>;
}

export interface CtrDebuggerState {
  labels: Record<string, string>;
  tty: boolean;
  task?: TaskState;
}

export async function attachCtrDebugger(o: CtrAttachContext, address: TargetAddress, found: CtrDebuggerState | undefined): Promise<AttachedDebugger> {
  const name = address.name;
  if (!found || found.labels[LABEL.role] !== ROLE_DEBUGGER) throw noSession(address.raw);
  if (found.task?.status !== 'RUNNING') {
    const code = found.task ? await deleteTask(o, name) : undefined;
    await o.removeContainer(true).catch(() => undefined);
    throw sessionEnded(name, code);
  }
  if (found.labels[LABEL.detached] !== 'true') throw notAttachable(name, `it is the live session of ${found.labels[LABEL.owner] ?? 'another sidekick'}`);

  const { tty } = found;
  const proc = o.ctr.spawn(o.namespace, ['tasks', 'attach', name], tty ? 'inherit' : ['pipe', 'pipe', 'pipe'], { detached: !tty });
  const child = proc.child;
  let streams: DebuggerStreams;
  if (tty) {
    const stdout = new PassThrough();
    void proc.done.then(() => stdout.end());
    streams = { stdout, ended: proc.done.then(() => undefined) };
  } else {
    child.stdin!.on('error', () => undefined); // the task may be gone before its input is
    const ended = Promise.all([new Promise((r) => child.stdout!.once('close', r)), new Promise((r) => child.stderr!.once('close', r))]).then(() => undefined);
    streams = { stdin: child.stdin!, stdout: child.stdout!, stderr: child.stderr!, ended };
  }
  return {
    name,
    tty,
    ownsTerminal: tty,
    streams,
    exited: proc.done,
    resize: async () => undefined,
    // ctr goes, the task stays (a SIGKILL: ctr would forward any other signal to the task)
    detach: () => void child.kill('SIGKILL'),
    remove: () => o.removeContainer(true),
  };
}

/** Deletes an ended task; ctr says its exit code only as a warning when it is not 0. */
async function deleteTask(o: CtrAttachContext, id: string): Promise<number | undefined> {
  const proc = o.ctr.spawn(o.namespace, ['tasks', 'delete', id], ['ignore', 'ignore', 'pipe']);
  let said = '';
  proc.child.stderr!.on('data', (chunk: Buffer) => (said += chunk.toString()));
  if ((await proc.done) !== 0) return undefined;
  return Number(/exit code (\d+)/.exec(said)?.[1] ?? 0);
}
