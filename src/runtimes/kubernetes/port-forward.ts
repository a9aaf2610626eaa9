/**
 * Port-forward without a debugger: each connection to a pod's own port is a WebSocket to the API's
 * pods/portforward subresource (v4.channel.k8s.io), as kubectl's SPDY stream is. The API proxies
 * it to the kubelet, whose runtime connects to the port inside the pod's network namespace. Channel
 * 0 carries the bytes both ways, channel 1 the runtime's error; the server starts each channel with
 * the port number (2 bytes). One WebSocket carries one connection.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { Duplex } from 'node:stream';
import WebSocket from 'ws';
import { debugLog } from '../../log.js';
import type { NativePorts } from '../runtime.js';
import { refusedVerbs } from './access.js';
import { openWebSocket } from './channels.js';
import type { KubeClient } from './client.js';
import { apiMessage, commonApiError } from './errors.js';

const PROTOCOL = 'v4.channel.k8s.io';
const DATA = 0;
const ERROR = 1;
/** bytes of the port number that open each channel */
const PORT_PREFIX = 2;
/**
 * The protocol cannot half-close: once the local client ends its side, the WebSocket closes when the
 * pod has said nothing more for this long (the CRI's own port-forward gives one second too).
 */
const QUIET_AFTER_END_MS = 1000;

/** The pods/portforward path of a running pod, and whether these credentials may take it. */
export async function podNativePorts(k: KubeClient, namespace: string, pod: V1Pod): Promise<NativePorts> {
  const name = pod.metadata?.name ?? '';
  // A WebSocket upgrade is a GET, which this API (1.30) authorizes as "get"; kubectl's SPDY request is
  // a POST ("create"), the verb RBAC roles usually grant. Both are asked, so that a role made for
  // kubectl (or an API that asks for "create") falls back before the first connection, not at it.
  const refused = await refusedVerbs(k.api, { namespace, resource: 'pods', subresource: 'portforward', name }, ['create', 'get']);
  // the runtime connects to localhost in the pod's network namespace (IPv4, then IPv6)
  const self = new Set(['localhost', '127.0.0.1', '::1', pod.status?.podIP, ...(pod.status?.podIPs ?? []).map((p) => p.ip)].filter((ip): ip is string => Boolean(ip)));
  return {
    via: 'portforward',
    refused: refused.length
      ? {
          reason: `forbidden: you may not ${refused.join(' or ')} pods/portforward in namespace ${namespace}`,
          hint: `ask for an RBAC role that allows ${refused.map((v) => `"${v}"`).join(' and ')} on "pods/portforward"`,
        }
      : undefined,
    reaches: (host) => self.has(host.toLowerCase()),
    connect: (port) => connectPort(k, namespace, name, port),
  };
}

async function connectPort(k: KubeClient, namespace: string, pod: string, port: number): Promise<Duplex> {
  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/portforward?ports=${port}`;
  try {
    // The mask only matters to proxies that read a browser's plain-text frames; over TLS from a CLI a
    // zero mask is as good, and ws skips the masking pass over every byte sent.
    let stream: PortStream | undefined;
    await openWebSocket(k.kc, path, [PROTOCOL], { generateMask: (mask) => void mask.fill(0), perMessageDeflate: false }, (ws) => (stream = new PortStream(ws)));
    return stream!;
  } catch (e) {
    const status = (e as { statusCode?: number }).statusCode;
    const failure = { code: status, body: (e as { body?: string }).body, message: (e as Error).message };
    throw commonApiError(failure, k.endpoint, k.context) ?? new Error(`the API refused the port-forward (${status ? `HTTP ${status}: ` : ''}${apiMessage(failure)})`);
  }
}

/** One forwarded connection as a byte stream; the runtime's error, before any byte, destroys it with the reason. */
class PortStream extends Duplex {
  private readonly prefixSeen = [0, 0];
  private errorText = '';
  private received = false;
  private quietTimer?: NodeJS.Timeout;
  private localEnded = false;
  private opened = false;

  constructor(private readonly ws: WebSocket) {
    // Frames are 32 KiB: a default (16 KiB) buffer would pause and resume the WebSocket on every one.
    super({ allowHalfOpen: true, readableHighWaterMark: 1 << 20, writableHighWaterMark: 1 << 20 });
    ws.on('message', (data: Buffer) => this.frame(data));
    ws.on('error', (e) => debugLog(`kubernetes: port-forward: ${e.message}`));
    ws.once('open', () => (this.opened = true));
    ws.once('close', (code) => this.wsClosed(code));
  }

  private frame(data: Buffer): void {
    const channel = data[0];
    if (channel !== DATA && channel !== ERROR) return;
    const skip = Math.min(PORT_PREFIX - this.prefixSeen[channel]!, data.length - 1);
    this.prefixSeen[channel]! += skip;
    const payload = data.subarray(1 + skip);
    if (payload.length === 0) return;
    if (channel === ERROR) {
      this.errorText += payload.toString('utf8');
      return;
    }
    this.received = true;
    if (this.localEnded) this.closeWhenQuiet();
    if (!this.push(payload)) this.ws.pause();
  }

  override _read(): void {
    if (this.ws.isPaused) this.ws.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (e?: Error | null) => void): void {
    // bytes for a connection the pod already closed go nowhere, as on a socket whose peer left
    if (this.ws.readyState !== WebSocket.OPEN) return done();
    const frame = Buffer.allocUnsafe(chunk.length + 1);
    frame[0] = DATA;
    chunk.copy(frame, 1);
    this.ws.send(frame, () => done());
  }

  override _final(done: (e?: Error | null) => void): void {
    this.localEnded = true;
    this.closeWhenQuiet();
    done();
  }

  override _destroy(error: Error | null, done: (e?: Error | null) => void): void {
    clearTimeout(this.quietTimer);
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close();
    done(error);
  }

  private closeWhenQuiet(): void {
    clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => this.ws.close(), QUIET_AFTER_END_MS);
  }

  private wsClosed(code: number): void {
    clearTimeout(this.quietTimer);
    // a WebSocket that never opened is the opener's failure to report, not this stream's
    if (this.destroyed || !this.opened) return;
    if (this.errorText) debugLog(`kubernetes: port-forward: ${this.errorText.trim()}`);
    if (!this.received && this.errorText) return void this.destroy(new Error(describeError(this.errorText)));
    if (!this.received && code !== 1000) return void this.destroy(new Error(`the API closed the port-forward (WebSocket code ${code})`));
    this.push(null);
  }
}

/**
 * The runtime's words, shortened to the reason: containerd says "error forwarding port 6061 to pod ID,
 * uid : failed to execute portforward in network namespace ...: failed to connect to localhost:6061
 * inside namespace ..., IPv4: dial tcp4 127.0.0.1:6061: connect: connection refused IPv6 dial tcp6: ...".
 */
export function describeError(text: string): string {
  const dial = /dial tcp4? (\S+): (?:connect: )?(.+?)(?:\s+IPv6\b.*)?$/s.exec(text.trim());
  if (dial) return `${dial[2]} (${dial[1]} in the pod)`;
  return text.trim().split('\n')[0]!.replace(/^error forwarding port \d+ to pod \S+, uid \S*\s*:\s*/, '');
}
