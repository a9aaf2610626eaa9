/** containerd's Tasks API messages as sidekick writes and reads them (grpc.ts, task-status.ts): pure bytes, no engine. */
import { describe, expect, it } from 'vitest';
import { grpcFrame, grpcMessage } from '../../src/runtimes/containerd/grpc.js';
import { processOf, RUNNING } from '../../src/runtimes/containerd/task-status.js';

const field = (n: number, wire: number) => n * 8 + wire;
const str = (n: number, s: string) => Buffer.concat([Buffer.from([field(n, 2), s.length]), Buffer.from(s)]);
const framed = (message: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, 0, message.length]), message]);

describe("containerd's Tasks API messages", () => {
  it('writes a ResizePtyRequest: the id, then width and height as varints (two bytes above 127)', () => {
    expect(grpcFrame([[1, 'ab'], [3, 200], [4, 40]]).toString('hex')).toBe('00000000090a0261621' + '8c801' + '2028');
  });

  it('reads the stdio FIFOs, the terminal and the status of a running task from a GetResponse', () => {
    const process = Buffer.concat([
      str(1, 'c'),
      Buffer.from([field(4, 0), RUNNING]),
      str(5, '/f/c-stdin'),
      str(6, '/f/c-stdout'),
      Buffer.from([field(8, 0), 1]),
    ]);
    const task = processOf(framed(Buffer.concat([Buffer.from([field(1, 2), process.length]), process])));
    expect(task).toEqual({ pid: 0, status: RUNNING, stdin: '/f/c-stdin', stdout: '/f/c-stdout', stderr: '', terminal: true, exitStatus: 0, exitedAt: undefined });
  });

  it("reads an ended task's exit code and end time (Timestamp{seconds})", () => {
    const exitedAt = Buffer.from([field(1, 0), 0x80, 0xe7, 0xa3, 0xc6, 0x06]); // 1758000000 seconds
    const process = Buffer.concat([Buffer.from([field(4, 0), 3, field(9, 0), 4]), Buffer.from([field(10, 2), exitedAt.length]), exitedAt]);
    const task = processOf(framed(Buffer.concat([Buffer.from([field(1, 2), process.length]), process])));
    expect(task.exitStatus).toBe(4);
    expect(task.exitedAt?.toISOString()).toBe(new Date(1758000000 * 1000).toISOString());
  });

  it('takes an empty response (google.protobuf.Empty) as an empty message', () => {
    expect(grpcMessage(Buffer.from([0, 0, 0, 0, 0])).length).toBe(0);
    expect(grpcMessage(Buffer.alloc(0)).length).toBe(0);
  });
});
