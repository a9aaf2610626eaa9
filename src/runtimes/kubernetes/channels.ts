/**
 * The Kubernetes streaming protocol (attach, exec) over a WebSocket, written against `ws` directly:
 * channel 0 stdin, 1 stdout, 2 stderr, 3 status, 4 resize, 255 close (v5). The client library's own
 * handler ends process.stdout on a close frame and throws on channel 255; this one does neither.
 * Both ways go no faster than their reader: the WebSocket pauses while stdout or stderr is full, and
 * stdin takes its next chunk once the last one has been written to the connection.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { PassThrough, Writable } from 'node:stream';
import WebSocket from 'ws';
import { Backpressure } from '../../backpressure.js';

const PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const STATUS = 3;
const RESIZE = 4;
const CLOSE = 255;

export interface ChannelStatus {
  status?: string;
  message?: string;
  reason?: string;
  details?: { causes?: Array<{ reason?: string; message?: string }> };
}

export interface Channels {
  stdin: Writable;
  stdout: PassThrough;
  stderr: PassThrough;
  resize(rows: number, columns: number): void;
  /** resolves when the server closed the connection, with the status it sent (exec reports exit codes there) */
  closed: Promise<ChannelStatus | undefined>;
  close(): void;
}

/**
 * A WebSocket to a path of the API, open, with the kubeconfig's credentials. A refused upgrade
 * rejects with the API's message, its HTTP status as `statusCode` and its Status object as `body`.
 * `listen` is called before it opens: frames that come with the upgrade's answer are read at once.
 */
export async function openWebSocket(
  kc: KubeConfig,
  path: string,
  protocols: string[],
  options: WebSocket.ClientOptions = {},
  listen?: (ws: WebSocket) => void,
): Promise<WebSocket> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('no cluster in the kubeconfig');
  const url = `${cluster.server.replace(/^http/, 'ws')}${path}`;
  const opts: Record<string, unknown> = { ...options };
  await kc.applyToHTTPSOptions(opts);
  const ws = new WebSocket(url, protocols, opts);
  listen?.(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => reject(Object.assign(new Error(parseFailure(body) ?? `HTTP ${res.statusCode}`), { statusCode: res.statusCode, body })));
    });
  });
  return ws;
}

export async function openChannels(kc: KubeConfig, path: string): Promise<Channels> {
  const ws = await openWebSocket(kc, path, PROTOCOLS);

  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let status: ChannelStatus | undefined;
  const valve = new Backpressure(ws);
  ws.on('message', (data: Buffer) => {
    if (data.length < 1) return;
    const channel = data[0];
    const payload = data.subarray(1);
    if (channel === STDOUT) valve.write(stdout, payload);
    else if (channel === STDERR) valve.write(stderr, payload);
    else if (channel === STATUS) {
      try {
        status = JSON.parse(payload.toString('utf8')) as ChannelStatus;
      } catch {
        // a status we cannot read says nothing more than the close itself
      }
    } else if (channel === CLOSE) {
      if (payload[0] === STDOUT) stdout.end();
      if (payload[0] === STDERR) stderr.end();
    }
  });
  const closed = new Promise<ChannelStatus | undefined>((resolve) => {
    ws.once('close', () => {
      stdout.end();
      stderr.end();
      resolve(status);
    });
    ws.on('error', () => undefined);
  });
  const send = (channel: number, payload: Buffer, sent?: () => void) => {
    if (ws.readyState !== WebSocket.OPEN) return sent?.();
    ws.send(Buffer.concat([Buffer.from([channel]), payload]), sent && (() => sent()));
  };
  const stdin = new Writable({
    write(chunk: Buffer, _enc, done) {
      send(STDIN, chunk, done);
    },
    final(done) {
      // v5 can close stdin alone; v4 cannot, and ending it there would end the whole session
      if (ws.protocol === 'v5.channel.k8s.io') send(CLOSE, Buffer.from([STDIN]));
      done();
    },
  });
  return {
    stdin,
    stdout,
    stderr,
    resize: (rows, columns) => send(RESIZE, Buffer.from(JSON.stringify({ Width: columns, Height: rows }))),
    closed,
    close: () => ws.close(),
  };
}

function parseFailure(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { message?: string }).message;
  } catch {
    return body.trim() || undefined;
  }
}

/** Exit code of an exec, from its closing status ("NonZeroExitCode" carries it as a cause). */
export function exitCodeOf(status: ChannelStatus | undefined): number {
  if (!status || status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  return cause?.message ? Number(cause.message) : 1;
}
