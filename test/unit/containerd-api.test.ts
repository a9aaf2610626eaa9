/** containerd's Containers and Tasks messages as the target lookups read them (api.ts, grpc.ts): pure bytes, no engine. */
import { describe, expect, it } from 'vitest';
import { containerOf, getContainerOf, listedContainersOf, taskOf } from '../../src/runtimes/containerd/api.js';
import { grpcFrame, grpcMessages, protoEntries } from '../../src/runtimes/containerd/grpc.js';

const varint = (n: number): number[] => (n < 128 ? [n] : [(n % 128) | 0x80, ...varint(Math.floor(n / 128))]);
/** a length-delimited field (a string, bytes or a message) */
const bytes = (n: number, value: string | Buffer) => {
  const data = Buffer.from(value);
  return Buffer.concat([Buffer.from([...varint(n * 8 + 2), ...varint(data.length)]), data]);
};
const number = (n: number, value: number) => Buffer.from([...varint(n * 8), ...varint(value)]);
const message = (...fields: Buffer[]) => Buffer.concat(fields);
/** a message as gRPC frames it: no compression, a 4-byte length */
const framed = (m: Buffer) => {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(m.length, 1);
  return Buffer.concat([head, m]);
};

const spec = {
  process: { args: ['/app', '--serve'], env: ['PATH=/bin', 'MODE=test'], cwd: '/srv', user: { uid: 1000, gid: 1000 } },
  mounts: [{ destination: '/etc/hosts', type: 'bind', source: '/var/lib/nerdctl/hosts', options: ['rbind'] }],
};
const label = (key: string, value: string) => bytes(2, message(bytes(1, key), bytes(2, value)));
// Container{id, labels, image, runtime, spec (Any), snapshotter, snapshot_key, created_at}
const container = message(
  bytes(1, 'web'),
  label('nerdctl/name', 'web'),
  label('app', 'shop'),
  bytes(3, 'docker.io/library/nginx:latest'),
  bytes(4, message(bytes(1, 'io.containerd.runc.v2'))),
  bytes(5, message(bytes(1, 'types.containerd.io/opencontainers/runtime-spec/1/Spec'), bytes(2, JSON.stringify(spec)))),
  bytes(6, 'overlayfs'),
  bytes(7, 'web-snapshot'),
  bytes(8, message(number(1, 1758000000), number(2, 250_000_000))),
);

describe("containerd's Containers messages", () => {
  it('reads a container: ID, labels (a map: repeated entries), image, snapshotter, snapshot key, creation time', () => {
    const info = containerOf(container);
    expect(info).toMatchObject({
      ID: 'web',
      Labels: { 'nerdctl/name': 'web', app: 'shop' },
      Image: 'docker.io/library/nginx:latest',
      Snapshotter: 'overlayfs',
      SnapshotKey: 'web-snapshot',
      CreatedAt: '2025-09-16T05:20:00.250Z',
    });
  });

  it('reads the OCI spec, which a google.protobuf.Any holds as JSON (longer than 127 bytes: a two-byte length)', () => {
    expect(JSON.stringify(spec).length).toBeGreaterThan(127);
    expect(containerOf(container).Spec).toEqual(spec);
  });

  it('leaves out a spec that is not JSON, and takes a container without labels as having none', () => {
    const info = containerOf(message(bytes(1, 'c'), bytes(5, message(bytes(1, 'x'), bytes(2, '\x08\x01')))));
    expect(info.Spec).toBeUndefined();
    expect(info.Labels).toEqual({});
    expect(info.Image).toBeUndefined();
  });

  it('reads the container of a GetContainerResponse{container = 1}', () => {
    expect(getContainerOf(framed(bytes(1, container))).ID).toBe('web');
  });

  it('reads every container of a ListStream body, one ListContainerMessage a frame', () => {
    const body = Buffer.concat([framed(bytes(1, container)), framed(bytes(1, message(bytes(1, 'other'))))]);
    expect(grpcMessages(body)).toHaveLength(2);
    expect(listedContainersOf(body).map((c) => c.ID)).toEqual(['web', 'other']);
    expect(listedContainersOf(Buffer.alloc(0))).toEqual([]);
  });

  it('writes a ListContainersRequest with its filters as a repeated field', () => {
    const request = grpcFrame([
      [1, 'labels."nerdctl/name"=="web"'],
      [1, 'image==x'],
    ]);
    expect(protoEntries(request.subarray(5))).toEqual([
      [1, Buffer.from('labels."nerdctl/name"=="web"')],
      [1, Buffer.from('image==x')],
    ]);
  });
});

describe("containerd's Tasks messages, as ctr's task states", () => {
  const response = (process: Buffer) => framed(bytes(1, process));

  it('reads the PID and names the status as ctr prints it', () => {
    expect(taskOf(response(message(bytes(1, 'web'), number(3, 14604), number(4, 2))))).toEqual({ pid: 14604, status: 'RUNNING', exitStatus: 0 });
    expect(taskOf(response(message(number(4, 4)))).status).toBe('PAUSED');
    expect(taskOf(response(message(number(4, 1)))).status).toBe('CREATED');
  });

  it("reads a stopped task's exit code", () => {
    expect(taskOf(response(message(number(3, 9), number(4, 3), number(9, 137))))).toEqual({ pid: 9, status: 'STOPPED', exitStatus: 137 });
  });

  it('takes a status it does not know as UNKNOWN', () => {
    expect(taskOf(response(message(number(4, 42)))).status).toBe('UNKNOWN');
  });

  it('refuses a truncated field rather than reading past the message', () => {
    expect(() => protoEntries(Buffer.from([0x0a, 0x05, 0x61]))).toThrow(/truncated/);
  });
});
