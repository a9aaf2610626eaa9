/**
 * grpc.ts's shared connection against a small HTTP/2 server on a unix socket that answers as gRPC
 * does (framed messages, grpc-status in the trailers): the transport alone, no containerd.
 */
import { createServer, type Http2Server, type ServerHttp2Session } from 'node:http2';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GrpcConnection, GrpcStatusError, grpcFrame, grpcMessages, NOT_FOUND, protoEntries } from '../../src/runtimes/containerd/grpc.js';

const dir = mkdtempSync(join(tmpdir(), 'sidekick-grpc-test-'));
const socket = join(dir, 'grpc.sock');
let server: Http2Server;
let connections = 0;
const sessions: ServerHttp2Session[] = [];

beforeAll(async () => {
  server = createServer();
  server.on('connection', () => connections++);
  // the client keeps an idle connection open for the calls that may follow: closed here
  server.on('session', (session) => sessions.push(session));
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      const [[, id] = [0, Buffer.alloc(0)]] = protoEntries(Buffer.concat(chunks).subarray(5));
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () =>
        stream.sendTrailers(
          String(id) === 'absent'
            ? { 'grpc-status': String(NOT_FOUND), 'grpc-message': encodeURIComponent('container "absent" in namespace "ns": not found') }
            : { 'grpc-status': '0' },
        ),
      );
      // echoes the path, the namespace and the id, twice: a streamed answer of two messages
      const answer = grpcFrame([[1, `${headers[':path']} ${headers['containerd-namespace']} ${id}`]]);
      stream.end(String(id) === 'absent' ? undefined : Buffer.concat([answer, answer]));
    });
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
});

afterAll(async () => {
  for (const session of sessions) session.destroy();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe("grpc.ts's shared connection", () => {
  it('makes calls at once on one connection, each with its path and namespace, and reads every frame of an answer', async () => {
    const connection = new GrpcConnection(socket);
    const before = connections;
    const bodies = await Promise.all(['a', 'b', 'c'].map((id) => connection.call('ns', '/svc/Get', grpcFrame([[1, id]]), 5000)));
    expect(bodies.map((body) => grpcMessages(body).map((m) => String(protoEntries(m)[0]![1])))).toEqual(
      ['a', 'b', 'c'].map((id) => [`/svc/Get ns ${id}`, `/svc/Get ns ${id}`]),
    );
    await connection.call('ns', '/svc/Get', grpcFrame([[1, 'd']]), 5000);
    expect(connections - before).toBe(1);
  });

  it("rejects with containerd's status code and words when it says no", async () => {
    const error = await new GrpcConnection(socket).call('ns', '/svc/Get', grpcFrame([[1, 'absent']]), 5000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GrpcStatusError);
    expect(error).toMatchObject({ code: NOT_FOUND, message: 'container "absent" in namespace "ns": not found' });
  });

  it('rejects with the socket\'s own error (its cause) when nothing listens there', async () => {
    const error = (await new GrpcConnection(join(dir, 'none.sock')).call('ns', '/svc/Get', grpcFrame([[1, 'a']]), 5000).catch((e: unknown) => e)) as Error;
    expect(error).not.toBeInstanceOf(GrpcStatusError);
    const cause = (error.cause ?? error) as NodeJS.ErrnoException;
    expect(cause.code).toBe('ENOENT');
  });
});
