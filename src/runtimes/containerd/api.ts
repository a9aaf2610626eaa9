/**
 * The lookups that find a target, asked of containerd's gRPC API on one connection (grpc.ts):
 * Containers.Get and ListStream, Tasks.Get, Images.Get. Each `ctr` they replace was a Go program's
 * start (~40 ms of CPU on this machine) competing with the others for the cores; a call on an open
 * connection is a fraction of a millisecond. Everything else, and what changes anything, stays ctr's.
 */
import { debugLog } from '../../log.js';
import type { Ctr } from './ctr.js';
import type { SpecMount, TaskState } from './ctr-text.js';
import { GrpcConnection, GrpcStatusError, grpcFrame, grpcMessage, grpcMessages, NOT_FOUND, protoEntries, UNIMPLEMENTED } from './grpc.js';
import { processOf, statusName } from './task-status.js';

/** A container as containerd describes it, in the shape `ctr containers info` prints it. */
export interface ContainerInfo {
  ID: string;
  Image?: string;
  Labels?: Record<string, string> | null;
  CreatedAt?: string;
  SnapshotKey?: string;
  Snapshotter?: string;
  Spec?: {
    hostname?: string;
    process?: { args?: string[]; env?: string[]; cwd?: string; terminal?: boolean; user?: { uid?: number; gid?: number; username?: string } };
    linux?: { resources?: { memory?: { limit?: number } } };
    mounts?: SpecMount[];
  };
}

/** A task as Tasks.Get tells it: ctr's TaskState and the exit code of one that ended. */
export interface TaskInfo extends TaskState {
  exitStatus: number;
}

const CONTAINERS = '/containerd.services.containers.v1.Containers';
const TASKS = '/containerd.services.tasks.v1.Tasks';
const IMAGES = '/containerd.services.images.v1.Images';
// ctr waits for as long as a call takes; this only keeps a wedged daemon from hanging sidekick
const TIMEOUT_MS = 10_000;

const text = (v: number | Buffer | undefined) => (Buffer.isBuffer(v) ? v.toString() : '');

/**
 * Container{id = 1, labels = 2 (map entries {key = 1, value = 2}), image = 3, spec = 5
 * (google.protobuf.Any{type_url = 1, value = 2}, the OCI spec as JSON), snapshotter = 6,
 * snapshot_key = 7, created_at = 8 (Timestamp{seconds = 1, nanos = 2})}.
 */
export function containerOf(message: Buffer): ContainerInfo {
  const info: ContainerInfo = { ID: '', Labels: {} };
  for (const [field, value] of protoEntries(message)) {
    if (!Buffer.isBuffer(value)) continue;
    if (field === 1) info.ID = value.toString();
    else if (field === 2) {
      const entry = new Map(protoEntries(value));
      info.Labels![text(entry.get(1))] = text(entry.get(2));
    } else if (field === 3) info.Image = value.toString();
    else if (field === 5) info.Spec = specOf(value);
    else if (field === 6) info.Snapshotter = value.toString();
    else if (field === 7) info.SnapshotKey = value.toString();
    else if (field === 8) {
      const time = new Map(protoEntries(value));
      const seconds = time.get(1);
      if (typeof seconds === 'number') info.CreatedAt = new Date(seconds * 1000 + Math.floor(Number(time.get(2) ?? 0) / 1e6)).toISOString();
    }
  }
  return info;
}

/** The OCI spec in a google.protobuf.Any; undefined when it is not the JSON containerd writes. */
function specOf(any: Buffer): ContainerInfo['Spec'] {
  const value = new Map(protoEntries(any)).get(2);
  if (!Buffer.isBuffer(value)) return undefined;
  try {
    return JSON.parse(value.toString()) as ContainerInfo['Spec'];
  } catch {
    return undefined;
  }
}

/** GetContainerResponse{container = 1} of a response body. */
export function getContainerOf(body: Buffer): ContainerInfo {
  const container = new Map(protoEntries(grpcMessage(body))).get(1);
  return containerOf(Buffer.isBuffer(container) ? container : Buffer.alloc(0));
}

/** ListContainerMessage{container = 1}, one a frame of a ListStream response body. */
export function listedContainersOf(body: Buffer): ContainerInfo[] {
  return grpcMessages(body).map((message) => {
    const container = new Map(protoEntries(message)).get(1);
    return containerOf(Buffer.isBuffer(container) ? container : Buffer.alloc(0));
  });
}

/** A GetResponse body of Tasks.Get as ctr's TaskState, with the exit code. */
export function taskOf(body: Buffer): TaskInfo {
  const process = processOf(body);
  return { pid: process.pid, status: statusName(process.status), exitStatus: process.exitStatus };
}

export class ContainerdApi {
  private readonly connection: GrpcConnection;

  constructor(private readonly ctr: Ctr) {
    this.connection = new GrpcConnection(ctr.socket);
  }

  /** One call; the connection's failures as ctr's would be (one line naming the socket), containerd's own as GrpcStatusError. */
  private async call(namespace: string, method: string, request: Buffer): Promise<Buffer> {
    this.ctr.checkSocket();
    const started = performance.now();
    try {
      const body = await this.connection.call(namespace, method, request, TIMEOUT_MS);
      debugLog(`containerd API: ${method.replace(/^.*\.v1\./, '')} in ${namespace}, ${Math.round(performance.now() - started)} ms`);
      return body;
    } catch (e) {
      debugLog(`containerd API: ${method.replace(/^.*\.v1\./, '')} in ${namespace}: ${(e as Error).message}`);
      if (e instanceof GrpcStatusError) throw e;
      // a call cut by its connection's failure carries that failure as its cause
      const cause = (e as Error).cause;
      throw this.ctr.connectionFailure((cause instanceof Error ? cause : e) as NodeJS.ErrnoException);
    }
  }

  /** A container by its exact ID; undefined when containerd says no (as `ctr containers info` failing). */
  async container(namespace: string, id: string): Promise<ContainerInfo | undefined> {
    try {
      return getContainerOf(await this.call(namespace, `${CONTAINERS}/Get`, grpcFrame([[1, id]])));
    } catch (e) {
      if (e instanceof GrpcStatusError) return undefined;
      throw e;
    }
  }

  /**
   * The namespace's containers that pass every filter (containerd's syntax, as ctr's), all without one.
   * Streamed, one container a message, as ctr asks for them: one message of all could pass gRPC's size limit.
   */
  async containers(namespace: string, filters: string[] = []): Promise<ContainerInfo[]> {
    const request = grpcFrame(filters.map((f) => [1, f]));
    try {
      return listedContainersOf(await this.call(namespace, `${CONTAINERS}/ListStream`, request));
    } catch (e) {
      if (!(e instanceof GrpcStatusError && e.code === UNIMPLEMENTED)) throw e;
      // a containerd before 1.5: ListContainersResponse{repeated containers = 1}
      const body = await this.call(namespace, `${CONTAINERS}/List`, request);
      return protoEntries(grpcMessage(body)).flatMap(([field, value]) => (field === 1 && Buffer.isBuffer(value) ? [containerOf(value)] : []));
    }
  }

  /** A container's task; undefined when it has none (NOT_FOUND). */
  async task(namespace: string, id: string): Promise<TaskInfo | undefined> {
    try {
      return taskOf(await this.call(namespace, `${TASKS}/Get`, grpcFrame([[1, id]])));
    } catch (e) {
      if (e instanceof GrpcStatusError && e.code === NOT_FOUND) return undefined;
      throw e;
    }
  }

  /** Whether the namespace has an image of this exact name. */
  async hasImage(namespace: string, ref: string): Promise<boolean> {
    try {
      await this.call(namespace, `${IMAGES}/Get`, grpcFrame([[1, ref]]));
      return true;
    } catch (e) {
      if (e instanceof GrpcStatusError && e.code === NOT_FOUND) return false;
      throw e;
    }
  }
}
