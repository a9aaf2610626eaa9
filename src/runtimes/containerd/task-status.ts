/**
 * What containerd's Tasks API says of a task and ctr never prints: its exit code and end time
 * (`tasks ls` shows STOPPED only, and `tasks rm`, which returns the code, deletes the task), the
 * paths of its I/O FIFOs, a wait for its end, and its terminal's size. Each is one call (grpc.ts).
 */
import { debugLog } from '../../log.js';
import { grpcFrame, grpcMessage, protoFields, unaryCall } from './grpc.js';

export { protoFields } from './grpc.js';

const TASKS = '/containerd.services.tasks.v1.Tasks';
const TIMEOUT_MS = 3000;

/** GetRequest{container_id = 1}, framed. */
export function getRequest(containerId: string): Buffer {
  return grpcFrame([[1, containerId]]);
}

/** containerd's task.Status: the ones sidekick tells apart. */
export const RUNNING = 2;
export const STOPPED = 3;

/** task.Status by number, named as ctr prints it (tasks ls). */
const STATUS_NAMES = ['UNKNOWN', 'CREATED', 'RUNNING', 'STOPPED', 'PAUSED', 'PAUSING'];

export function statusName(status: number): string {
  return STATUS_NAMES[status] ?? 'UNKNOWN';
}

/** A task's init process, as GetResponse{process = 1} tells it. */
export interface TaskProcess {
  pid: number;
  status: number;
  /** the FIFO paths of its stdio ('' where it has none) */
  stdin: string;
  stdout: string;
  stderr: string;
  terminal: boolean;
  exitStatus: number;
  exitedAt?: Date;
}

const text = (v: number | Buffer | undefined) => (Buffer.isBuffer(v) ? v.toString() : '');
const num = (v: number | Buffer | undefined) => (typeof v === 'number' ? v : 0);

/** Process{pid = 3, status = 4, stdin = 5, stdout = 6, stderr = 7, terminal = 8, exit_status = 9, exited_at = 10} of a GetResponse body. */
export function processOf(response: Buffer): TaskProcess {
  const process = protoFields(grpcMessage(response)).get(1);
  const f = Buffer.isBuffer(process) ? protoFields(process) : new Map<number, number | Buffer>();
  const exited = f.get(10);
  const seconds = Buffer.isBuffer(exited) ? num(protoFields(exited).get(1)) : 0;
  return {
    pid: num(f.get(3)),
    status: num(f.get(4)),
    stdin: text(f.get(5)),
    stdout: text(f.get(6)),
    stderr: text(f.get(7)),
    terminal: num(f.get(8)) === 1,
    exitStatus: num(f.get(9)),
    // containerd's zero time (year 1) is before 1970: not an end
    exitedAt: seconds > 0 ? new Date(seconds * 1000) : undefined,
  };
}

/** exit_status of a GetResponse body. */
export function exitStatusOf(response: Buffer): number {
  return processOf(response).exitStatus;
}

/** The task of a container, or undefined when containerd does not say (no task, no answer). */
export async function taskProcess(socket: string, namespace: string, containerId: string): Promise<TaskProcess | undefined> {
  try {
    return processOf(await unaryCall(socket, namespace, `${TASKS}/Get`, getRequest(containerId), TIMEOUT_MS).response);
  } catch (e) {
    debugLog(`containerd: Tasks.Get ${namespace}/${containerId}: ${(e as Error).message}`);
    return undefined;
  }
}

/** The exit code of a container's task, or undefined when containerd does not say (no task, no answer). */
export async function taskExitCode(socket: string, namespace: string, containerId: string): Promise<number | undefined> {
  return (await taskProcess(socket, namespace, containerId))?.exitStatus;
}

/** Tasks.Wait: the task's exit code once it ended (at once if it has); rejects when containerd does not answer. */
export function waitTask(socket: string, namespace: string, containerId: string): { exitCode: Promise<number>; cancel(): void } {
  const call = unaryCall(socket, namespace, `${TASKS}/Wait`, grpcFrame([[1, containerId]]), 0);
  // WaitResponse{exit_status = 1, exited_at = 2}
  return { exitCode: call.response.then((body) => num(protoFields(grpcMessage(body)).get(1))), cancel: call.cancel };
}

/** Tasks.ResizePty{container_id = 1, width = 3, height = 4} of the task's terminal. */
export async function resizeTaskPty(socket: string, namespace: string, containerId: string, rows: number, columns: number): Promise<void> {
  await unaryCall(socket, namespace, `${TASKS}/ResizePty`, grpcFrame([[1, containerId], [3, columns], [4, rows]]), TIMEOUT_MS).response;
}
