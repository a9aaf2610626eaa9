/**
 * The local side: ports bound before anything is created (so a port in use fails with nothing to
 * clean up), and each accepted connection handed to the route of the moment.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { UserError } from '../errors.js';
import { debugLog } from '../log.js';
import type { Target } from '../runtimes/runtime.js';
import type { Route } from './route.js';
import { formatHostPort, type ForwardSpec } from './spec.js';

export interface Forward {
  spec: ForwardSpec;
  server: Server;
  /** the address actually bound (the port chosen when 0 was asked) */
  local: string;
  remote: string;
}

/** Binds every spec's local address; connections go to `target()` (the target of the moment) through the spec's route. */
export async function openForwards(specs: ForwardSpec[], target: () => Target, routeOf: (spec: ForwardSpec) => Route, say: (line: string) => void): Promise<LocalPorts> {
  const ports = new LocalPorts();
  try {
    for (const spec of specs) {
      const server = await listen(spec, (socket) => {
        ports.connections.add(socket);
        socket.once('close', () => ports.connections.delete(socket));
        void handleConnection(socket, spec, target(), routeOf(spec), say);
      });
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : spec.local.port;
      ports.forwards.push({ spec, server, local: formatHostPort({ host: spec.local.host, port }), remote: formatHostPort(spec.remote) });
    }
  } catch (e) {
    ports.close();
    throw e;
  }
  return ports;
}

export class LocalPorts {
  readonly forwards: Forward[] = [];
  readonly connections = new Set<Socket>();

  /** One line per forward on stdout, once it forwards (JSON for --json, with the path each takes). */
  announce(target: string, viaOf: (spec: ForwardSpec) => string, json: boolean): void {
    for (const f of this.forwards) {
      const line = json ? JSON.stringify({ local: f.local, target, remote: f.remote, via: viaOf(f.spec) }) : `${f.local} -> ${target} ${f.remote}`;
      process.stdout.write(`${line}\n`);
    }
  }

  /** stops listening and ends every connection */
  close(): void {
    for (const f of this.forwards) f.server.close();
    for (const c of this.connections) c.destroy();
  }
}

/** Binds one local address, turning the usual failures into one-line errors. */
function listen(spec: ForwardSpec, onConnection: (socket: Socket) => void): Promise<Server> {
  const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, onConnection);
  const where = formatHostPort(spec.local);
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const fail = (message: string, hint: string) => reject(new UserError(message, { hint, cause: e }));
      switch (e.code) {
        case 'EADDRINUSE':
          return fail(`local port ${where} is already in use`, `pick another local port (${spec.local.port}:... in "${spec.raw}"), or 0 for a free one`);
        case 'EACCES':
          return fail(`cannot listen on ${where}: permission denied`, 'ports below 1024 need privileges; pick a higher local port');
        case 'EADDRNOTAVAIL':
          return fail(`cannot listen on ${where}: the address is not on this machine`, 'use 127.0.0.1, 0.0.0.0 or one of this machine\'s addresses');
        case 'ENOTFOUND':
        case 'EAI_AGAIN':
          return fail(`cannot listen on ${where}: unknown local host "${spec.local.host}"`, 'use an IP address such as 127.0.0.1');
        default:
          return fail(`cannot listen on ${where}: ${e.message}`, 'pick another local address or port');
      }
    });
    server.listen({ host: spec.local.host, port: spec.local.port }, () => resolve(server));
  });
}

async function handleConnection(local: Socket, spec: ForwardSpec, target: Target, route: Route, say: (line: string) => void): Promise<void> {
  local.on('error', () => undefined); // a client reset ends only its own relay
  const where = `${formatHostPort(spec.remote)} in ${target.address}`;
  const transport = await route.current;
  if (typeof transport === 'string' || local.destroyed) {
    local.destroy();
    if (transport) say(`connection to ${where} refused: ${transport}`);
    return;
  }
  const started = performance.now();
  try {
    const result = await transport.open(local, spec.remote);
    if (result.failure) say(`connection to ${where} failed: ${result.failure}`);
    debugLog(`connection to ${where} closed after ${Math.round(performance.now() - started)} ms: ${result.sent} bytes sent, ${result.received} received`);
  } catch (e) {
    local.resetAndDestroy();
    say(`connection to ${where} failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}
