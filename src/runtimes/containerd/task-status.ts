/**
 * A stopped task's exit code, which `ctr` never prints (`tasks ls` shows STOPPED only, and `tasks rm`,
 * which returns it, deletes the task: the original would change). containerd's own API has it:
 * Tasks.Get, one unary gRPC call over its socket, made with node's http2 and a few lines of
 * protobuf wire format (a gRPC library would cost more to load than every ctr call of a session).
 */
import { connect as http2Connect, constants } from 'node:http2';
import { connect as netConnect } from 'node:net';

const GET = '/containerd.services.tasks.v1.Tasks/Get';
const TIMEOUT_MS = 3000;

/** Protobuf's base-128 varint at `at`: its value and where the next field starts. */
function varint(buf: Buffer, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = buf[at++];
    if (byte === undefined) throw new Error('truncated varint');
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return [value, at];
    shift += 7;
  }
}

/** The fields of one protobuf message: number to varint value or bytes (the last of each). */
export function protoFields(buf: Buffer): Map<number, number | Buffer> {
  const fields = new Map<number, number | Buffer>();
  let at = 0;
  while (at < buf.length) {
    const [tag, next] = varint(buf, at);
    at = next;
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (wire === 0) {
      const [value, after] = varint(buf, at);
      fields.set(field, value);
      at = after;
    } else if (wire === 2) {
      const [length, start] = varint(buf, at);
      fields.set(field, buf.subarray(start, start + length));
      at = start + length;
    } else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else throw new Error(`unknown wire type ${wire}`);
  }
  return fields;
}

/** GetRequest{container_id = 1}, framed as gRPC sends a message (no compression, 4-byte length). */
export function getRequest(containerId: string): Buffer {
  const id = Buffer.from(containerId);
  const body: number[] = [0x0a];
  for (let n = id.length; ; n = Math.floor(n / 128)) {
    if (n < 128) {
      body.push(n);
      break;
    }
    body.push((n & 0x7f) | 0x80);
  }
  const message = Buffer.concat([Buffer.from(body), id]);
  const frame = Buffer.alloc(5);
  frame.writeUInt32BE(message.length, 1);
  return Buffer.concat([frame, message]);
}

/** Process.exit_status (field 9) of GetResponse{process = 1}, from the gRPC response body. */
export function exitStatusOf(response: Buffer): number {
  const process = protoFields(response.subarray(5, 5 + response.readUInt32BE(1))).get(1);
  if (!Buffer.isBuffer(process)) return 0;
  const status = protoFields(process).get(9);
  return typeof status === 'number' ? status : 0;
}

/** The exit code of a container's task, or undefined when containerd does not say (no task, no answer). */
export function taskExitCode(socket: string, namespace: string, containerId: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const session = http2Connect('http://containerd', { createConnection: () => netConnect(socket) });
    const done = (code: number | undefined) => {
      clearTimeout(timer);
      session.destroy();
      resolve(code);
    };
    const timer = setTimeout(() => done(undefined), TIMEOUT_MS);
    session.on('error', () => done(undefined));
    const req = session.request({
      [constants.HTTP2_HEADER_METHOD]: 'POST',
      [constants.HTTP2_HEADER_PATH]: GET,
      'content-type': 'application/grpc',
      te: 'trailers',
      'containerd-namespace': namespace,
    });
    const chunks: Buffer[] = [];
    let grpcStatus: string | undefined;
    req.on('response', (headers) => (grpcStatus = headers['grpc-status'] as string | undefined));
    req.on('trailers', (trailers) => (grpcStatus = (trailers['grpc-status'] as string | undefined) ?? grpcStatus));
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => done(undefined));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      try {
        done(grpcStatus === '0' && body.length >= 5 ? exitStatusOf(body) : undefined);
      } catch {
        done(undefined);
      }
    });
    req.end(getRequest(containerId));
  });
}
