/**
 * containerd's gRPC API, spoken directly where ctr has no command for what sidekick needs: one
 * unary call over its socket with node's http2, and the few lines of protobuf wire format its
 * messages need (a gRPC library would cost more to load than every ctr call of a session).
 */
import { connect as http2Connect, constants } from 'node:http2';
import { connect as netConnect } from 'node:net';

/** Protobuf's base-128 varint at `at`: its value and where the next field starts. */
function readVarint(buf: Buffer, at: number): [number, number] {
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

function varint(n: number): number[] {
  const bytes: number[] = [];
  for (; n >= 128; n = Math.floor(n / 128)) bytes.push((n % 128) | 0x80);
  bytes.push(n);
  return bytes;
}

/** The fields of one protobuf message: number to varint value or bytes (the last of each). */
export function protoFields(buf: Buffer): Map<number, number | Buffer> {
  const fields = new Map<number, number | Buffer>();
  let at = 0;
  while (at < buf.length) {
    const [tag, next] = readVarint(buf, at);
    at = next;
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (wire === 0) {
      const [value, after] = readVarint(buf, at);
      fields.set(field, value);
      at = after;
    } else if (wire === 2) {
      const [length, start] = readVarint(buf, at);
      fields.set(field, buf.subarray(start, start + length));
      at = start + length;
    } else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else throw new Error(`unknown wire type ${wire}`);
  }
  return fields;
}

/** A message of string and unsigned fields (field number to value), framed as gRPC sends it (no compression, 4-byte length). */
export function grpcFrame(fields: [number, string | number][]): Buffer {
  const parts = fields.map(([field, value]) => {
    if (typeof value === 'number') return Buffer.from([...varint(field * 8), ...varint(value)]);
    const bytes = Buffer.from(value);
    return Buffer.concat([Buffer.from([...varint(field * 8 + 2), ...varint(bytes.length)]), bytes]);
  });
  const message = Buffer.concat(parts);
  const frame = Buffer.alloc(5);
  frame.writeUInt32BE(message.length, 1);
  return Buffer.concat([frame, message]);
}

/** The message of a gRPC response body (its first frame; empty for google.protobuf.Empty). */
export function grpcMessage(body: Buffer): Buffer {
  return body.length < 5 ? Buffer.alloc(0) : body.subarray(5, 5 + body.readUInt32BE(1));
}

export interface UnaryCall {
  /** the response body; rejects with containerd's words (or the connection's) when the call fails */
  response: Promise<Buffer>;
  /** drops the call and its connection (a Wait that is no longer wanted): `response` then never settles */
  cancel(): void;
}

/** One unary call; `timeoutMs` 0 waits as long as the call takes (Wait). */
export function unaryCall(socket: string, namespace: string, method: string, request: Buffer, timeoutMs: number): UnaryCall {
  const session = http2Connect('http://containerd', { createConnection: () => netConnect(socket) });
  let settled = false;
  let settle!: (result: Buffer | Error | undefined) => void;
  const response = new Promise<Buffer>((resolve, reject) => {
    settle = (result) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      session.destroy();
      if (result instanceof Error) reject(result);
      else if (result) resolve(result);
    };
  });
  const timer = timeoutMs ? setTimeout(() => settle(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs) : undefined;
  session.on('error', (e) => settle(e));
  const req = session.request({
    [constants.HTTP2_HEADER_METHOD]: 'POST',
    [constants.HTTP2_HEADER_PATH]: method,
    'content-type': 'application/grpc',
    te: 'trailers',
    'containerd-namespace': namespace,
  });
  const chunks: Buffer[] = [];
  let status: string | undefined;
  let message: string | undefined;
  const heard = (headers: Record<string, unknown>) => {
    status = (headers['grpc-status'] as string | undefined) ?? status;
    message = (headers['grpc-message'] as string | undefined) ?? message;
  };
  req.on('response', heard);
  req.on('trailers', heard);
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('error', (e) => settle(e));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    if (status === '0') settle(body);
    else settle(new Error(message ? decodeURIComponent(message) : `gRPC status ${status ?? 'missing'}`));
  });
  req.end(request);
  return { response, cancel: () => settle(undefined) };
}
