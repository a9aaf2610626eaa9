/**
 * containerd's gRPC API, spoken directly where ctr has no command for what sidekick needs: one
 * unary call over its socket with node's http2, and the few lines of protobuf wire format its
 * messages need (a gRPC library would cost more to load than every ctr call of a session).
 */
import { connect as http2Connect, constants, type ClientHttp2Session } from 'node:http2';
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

/** Every field of one protobuf message in order, repeated ones each time: number and varint value or bytes. */
export function protoEntries(buf: Buffer): [number, number | Buffer][] {
  const entries: [number, number | Buffer][] = [];
  let at = 0;
  while (at < buf.length) {
    const [tag, next] = readVarint(buf, at);
    at = next;
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (wire === 0) {
      const [value, after] = readVarint(buf, at);
      entries.push([field, value]);
      at = after;
    } else if (wire === 2) {
      const [length, start] = readVarint(buf, at);
      if (start + length > buf.length) throw new Error('truncated field');
      entries.push([field, buf.subarray(start, start + length)]);
      at = start + length;
    } else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else throw new Error(`unknown wire type ${wire}`);
  }
  return entries;
}

/** The fields of one protobuf message: number to varint value or bytes (the last of each). */
export function protoFields(buf: Buffer): Map<number, number | Buffer> {
  return new Map(protoEntries(buf));
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

/** Every message of a streamed gRPC response body, one a frame. */
export function grpcMessages(body: Buffer): Buffer[] {
  const messages: Buffer[] = [];
  for (let at = 0; at + 5 <= body.length; at += 5 + body.readUInt32BE(at + 1)) messages.push(body.subarray(at + 5, at + 5 + body.readUInt32BE(at + 1)));
  return messages;
}

/** containerd answered, and said no: gRPC's status code (NOT_FOUND is 5) and its words. */
export class GrpcStatusError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'GrpcStatusError';
  }
}

/** gRPC status codes sidekick tells apart. */
export const NOT_FOUND = 5;
export const UNIMPLEMENTED = 12;

export interface UnaryCall {
  /** the response body; rejects with containerd's words (GrpcStatusError) or the connection's error when the call fails */
  response: Promise<Buffer>;
  /** drops the call: `response` then never settles */
  cancel(): void;
}

function connectTo(socket: string): ClientHttp2Session {
  return http2Connect('http://containerd', { createConnection: () => netConnect(socket) });
}

/** One call on an open connection (a unary call, or a server stream read to its end); `timeoutMs` 0 waits as long as the call takes (Wait). */
function callOn(session: ClientHttp2Session, namespace: string, method: string, request: Buffer, timeoutMs: number): UnaryCall {
  let settled = false;
  let settle!: (result: Buffer | Error | undefined) => void;
  const lost = (e?: Error) => settle(e ?? new Error('connection closed'));
  const response = new Promise<Buffer>((resolve, reject) => {
    settle = (result) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      session.off('error', lost);
      session.off('close', lost);
      if (result === undefined && !req.closed) req.close(constants.NGHTTP2_CANCEL);
      if (result instanceof Error) reject(result);
      else if (result) resolve(result);
    };
  });
  const timer = timeoutMs ? setTimeout(() => settle(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs) : undefined;
  session.on('error', lost);
  session.on('close', lost);
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
    else settle(new GrpcStatusError(status === undefined ? -1 : Number(status), message ? decodeURIComponent(message) : `gRPC status ${status ?? 'missing'}`));
  });
  req.end(request);
  return { response, cancel: () => settle(undefined) };
}

/** One call on a connection of its own, closed when the call ends or is dropped (a Wait that is no longer wanted). */
export function unaryCall(socket: string, namespace: string, method: string, request: Buffer, timeoutMs: number): UnaryCall {
  const session = connectTo(socket);
  const call = callOn(session, namespace, method, request, timeoutMs);
  const close = () => session.destroy();
  call.response.then(close, close);
  return {
    response: call.response,
    cancel: () => {
      call.cancel();
      close();
    },
  };
}

/**
 * One connection for several calls (the lookups of a command), opened at the first: it keeps the
 * process alive only while a call is on it, and a lost connection is opened again by the next call.
 */
export class GrpcConnection {
  private open?: { session: ClientHttp2Session; calls: number };

  constructor(private readonly socket: string) {}

  async call(namespace: string, method: string, request: Buffer, timeoutMs: number): Promise<Buffer> {
    if (!this.open || this.open.session.closed || this.open.session.destroyed) {
      const session = connectTo(this.socket);
      // each call hears the connection's error itself (callOn)
      session.on('error', () => undefined);
      this.open = { session, calls: 0 };
    }
    const open = this.open;
    if (open.calls++ === 0) open.session.ref();
    try {
      return await callOn(open.session, namespace, method, request, timeoutMs).response;
    } finally {
      if (--open.calls === 0) open.session.unref();
    }
  }
}
