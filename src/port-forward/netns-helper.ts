/**
 * The network-namespace helper: started by src/port-forward/netns.ts as
 *   nsenter --net=/proc/PID/ns/net -- node netns-helper.js /proc/PID/root
 * it lives in the target's network namespace (and this machine's filesystem). For each request on its
 * IPC channel it connects to HOST:PORT from there and hands the connected socket back to the CLI,
 * which then relays it in-process, kernel socket to kernel socket. It never listens. It exits when
 * the CLI goes away (its IPC channel closes).
 */
import { promises as dns } from 'node:dns';
import { readFile, readlink } from 'node:fs/promises';
import { connect, isIP, type Socket } from 'node:net';
import { hostsLookup, parseResolvConf, queryNames } from './target-names.js';

export interface HelperRequest {
  id: number;
  host: string;
  port: number;
}

export type HelperReply =
  | { ready: true; netns: string }
  | { id: number; ok: true }
  | { id: number; ok: false; code?: string; message: string };

const root = process.argv[2] ?? '/';
const send = (reply: HelperReply, socket?: Socket) => process.send?.(reply, socket);

async function addresses(host: string): Promise<string[]> {
  if (isIP(host)) return [host];
  const hosts = await readFile(`${root}/etc/hosts`, 'utf8').catch(() => '');
  const fromHosts = hostsLookup(hosts, host);
  if (fromHosts.length) return fromHosts;
  const conf = parseResolvConf(await readFile(`${root}/etc/resolv.conf`, 'utf8').catch(() => ''));
  const resolver = new dns.Resolver({ timeout: 3000, tries: 2 });
  resolver.setServers(conf.nameservers);
  for (const name of queryNames(host, conf)) {
    for (const query of [resolver.resolve4.bind(resolver), resolver.resolve6.bind(resolver)]) {
      const found = await query(name).catch(() => [] as string[]);
      if (found.length) return found;
    }
  }
  throw Object.assign(new Error(`unknown host ${host}`), { code: 'ENOTFOUND' });
}

function connectTo(address: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address, port });
    // Paused before it connects, so nothing the server sends first (a banner) is read here.
    socket.pause();
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

async function handle(request: HelperRequest): Promise<void> {
  try {
    let lastError: unknown;
    for (const address of await addresses(request.host)) {
      try {
        const socket = await connectTo(address, request.port);
        send({ id: request.id, ok: true }, socket);
        return;
      } catch (e) {
        lastError = e;
      }
    }
    throw lastError;
  } catch (e) {
    const error = e as NodeJS.ErrnoException;
    send({ id: request.id, ok: false, code: error.code, message: error.message });
  }
}

process.on('message', (request: HelperRequest) => void handle(request));
process.on('disconnect', () => process.exit(0));
// No top-level await: the single executable bundles this module as CommonJS.
void readlink('/proc/self/ns/net')
  .catch(() => '')
  .then((netns) => send({ ready: true, netns }));
