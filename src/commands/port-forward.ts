/**
 * `sidekick port-forward TARGET SPEC...`: local ports that reach ports inside the target's network
 * namespace, published or not (its loopback, hosts only it can reach).
 *
 * One debugger per session joins the target's namespaces and waits on its stdin (so it ends with the
 * CLI, however the CLI ends). Each accepted local connection is relayed (src/shell/relay.ts) through
 *   - exec: `nc HOST PORT` run in the debugger through the engine's exec API (works everywhere), or
 *   - nsenter: a socket connected from the target's network namespace by a helper on this machine
 *     (src/shell/netns.ts), when the engine runs here and sidekick may enter namespaces; several
 *     times faster. `--via auto` (the default) takes it when it works, exec otherwise.
 * Local ports are bound before anything is created, so a port in use fails with nothing to clean up.
 * Runs until SIGINT/SIGTERM/SIGHUP (exit 130/143/129, after removing the debugger) or until the
 * target stops (exit 123); with --follow-restarts it keeps its ports and starts a new debugger
 * when the target runs again.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { EXIT, UserError } from '../errors.js';
import { debugLog } from '../log.js';
import { parseAddress } from '../runtimes/address.js';
import { buildDebuggerSpec } from '../runtimes/debugger-spec.js';
import { resolveTarget } from '../runtimes/engines.js';
import { formatHostPort, parseForwardSpecs, type ForwardSpec } from '../runtimes/forward-spec.js';
import type { Debugger, EngineOptions, PullPolicy, Runtime, Target, TargetDetails } from '../runtimes/runtime.js';
import { createGuardedDebugger, sessionOwner } from '../shell/guard.js';
import { Cleanup } from '../shell/interrupts.js';
import { startNetnsConnector, type NetnsConnector } from '../shell/netns.js';
import { relay, relaySockets, type RelayResult } from '../shell/relay.js';

export type Via = 'auto' | 'exec' | 'nsenter';

export interface PortForwardArgs {
  target: string;
  specs: string[];
  json: boolean;
  via: Via;
  image?: string;
  pull?: PullPolicy;
  name?: string;
  /** wait for a stopped target to run again instead of ending */
  followRestarts?: boolean;
  quiet: boolean;
  engineOptions?: EngineOptions;
}

/** What the debugger runs: `cat` on its attached stdin, which ends when the CLI's connection closes. */
const HOLD_COMMAND = ['cat'];

/** How connections reach the target, decided once the debugger runs. */
interface Transport {
  via: 'exec' | 'nsenter';
  /** relays one local connection to HOST:PORT inside the target; rejects when it cannot connect */
  open(local: Socket, remote: ForwardSpec['remote']): Promise<RelayResult>;
}

interface Forward {
  spec: ForwardSpec;
  server: Server;
  /** the address actually bound (the port chosen when 0 was asked) */
  local: string;
  remote: string;
}

export async function portForwardCommand(args: PortForwardArgs): Promise<number> {
  const say = (line: string) => {
    if (!args.quiet) process.stderr.write(`sidekick: ${line}\n`);
  };
  const specs = parseForwardSpecs(args.specs);
  const cleanup = new Cleanup();
  const untrap = cleanup.trapSignals({ quiet: args.quiet });
  const connections = new Set<Socket>();
  try {
    const resolved = await resolveTarget(parseAddress(args.target), args.engineOptions);
    const { runtime } = resolved;
    let target = resolved.target;
    debugLog(`target ${target.address} (${target.id.slice(0, 12)})`);

    // Connections wait for the debugger; a port in use fails before anything is created.
    const route = new Route();
    cleanup.defer(() => route.refuse(''));
    const forwards: Forward[] = [];
    cleanup.defer(() => {
      for (const f of forwards) f.server.close();
      for (const c of connections) c.destroy();
    });
    for (const spec of specs) {
      const onConnection = (socket: Socket) => {
        connections.add(socket);
        socket.once('close', () => connections.delete(socket));
        void handleConnection(socket, spec, target, route, say);
      };
      const server = await listen(spec, onConnection);
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : spec.local.port;
      forwards.push({ spec, server, local: formatHostPort({ host: spec.local.host, port }), remote: formatHostPort(spec.remote) });
    }

    for (let round = 1; ; round++) {
      const scope = cleanup.scope();
      const announce = (transport: Transport) => {
        if (round > 1) return say(`the target ${target.address} runs again; forwarding resumes`);
        for (const f of forwards) {
          const line = args.json
            ? JSON.stringify({ local: f.local, target: target.address, remote: f.remote, via: transport.via })
            : `${f.local} -> ${target.address} ${f.remote}`;
          process.stdout.write(`${line}\n`);
        }
        if (process.stderr.isTTY) say('forwarding; press Ctrl-C to stop');
      };
      // What the target's run looked like, to tell a quick restart from a debugger that failed.
      const before = args.followRestarts ? runtime.describeTarget?.(target).catch(() => undefined) : undefined;
      let ended: RoundEnd;
      try {
        ended = await forwardOnce(runtime, target, args, scope, route, announce);
      } catch (e) {
        // a target that stopped while its debugger was starting is followed like any stop
        if (cleanup.interruptedBy || !args.followRestarts || !(await targetEnded(runtime, target, await before))) throw e;
        debugLog(`round ${round}: ${String(e)}`);
        ended = { code: -1, debuggerName: '', stderr: '' };
      }
      if (cleanup.interruptedBy) return 0; // the signal handler is cleaning up and exits
      debugLog(`debugger exited with ${ended.code}`);
      if (!(await targetEnded(runtime, target, await before))) {
        const why = ended.stderr.trim().split('\n').at(-1)?.replace(/^sidekick: /, '');
        throw new UserError(`the port-forward debugger ${ended.debuggerName} stopped (exit code ${ended.code})${why ? `: ${why}` : ''}`, {
          hint: 'run again with --debug for details',
        });
      }
      route.refuse(`the target ${target.address} is not running`);
      await scope.run();
      if (!args.followRestarts) {
        say(`the target ${target.address} stopped; port-forward ended and the debugger was removed`);
        return EXIT.TARGET_STOPPED;
      }
      say(`the target ${target.address} stopped; waiting for it to run again (connections are refused meanwhile)`);
      target = await untilRunning(runtime, target);
    }
  } finally {
    if (!cleanup.interruptedBy) {
      await cleanup.run();
      untrap();
    } else {
      await new Promise(() => undefined); // the signal handler finishes the cleanup and exits
    }
  }
}

interface RoundEnd {
  code: number;
  debuggerName: string;
  /** the debugger's last words, which explain an early end */
  stderr: string;
}

/**
 * One debugger's life: it joins the target, connections go through it, and this returns when it
 * exits (the target stopped, or the debugger failed). Its removal is registered in `scope`.
 */
async function forwardOnce(
  runtime: Runtime,
  target: Target,
  args: PortForwardArgs,
  scope: Cleanup,
  route: Route,
  announce: (transport: Transport) => void,
): Promise<RoundEnd> {
  route.wait();
  // The namespace helper starts while the debugger is created.
  const connecting = args.via === 'exec' ? undefined : startConnector(runtime, target);
  void connecting?.catch(() => undefined);
  scope.defer(() => connecting?.then((c) => c.close(), () => undefined));

  const spec = buildDebuggerSpec(
    target,
    { image: args.image, pull: args.pull, name: args.name, command: HOLD_COMMAND, interactive: true, tty: false, profile: args.engineOptions?.profile },
    { stdinIsTTY: false, localEnv: {}, owner: sessionOwner() },
  );
  const dbg = await createGuardedDebugger(runtime, target, spec, scope, args.quiet);
  for (const note of dbg.notes) debugLog(note);
  if (!dbg.exec) {
    throw new UserError(`port-forward is not supported on ${runtime.engine} yet`, { hint: 'see the support matrix in the README' });
  }

  const exited = dbg.wait();
  // Holding the attached stdin open keeps the debugger alive; its stderr explains an early end.
  const streams = await dbg.attach();
  let stderr = '';
  streams.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-2000);
  });
  streams.stdout.resume();
  await dbg.start();
  debugLog('started');
  const transport = await chooseTransport(args.via, dbg, spec.image, connecting);
  debugLog(`connections go through ${transport.via}`);
  route.open(transport);
  announce(transport);

  const code = await exited.catch((e: unknown) => {
    throw new UserError(`lost ${runtime.engine} during the forward: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  });
  return { code, debuggerName: dbg.name, stderr };
}

/**
 * Whether the target's run that the debugger joined is over: it stopped, or (given how it looked
 * then) it already runs again. The engine may learn of either a moment after the debugger ended.
 */
async function targetEnded(runtime: Runtime, target: Target, before: TargetDetails | undefined): Promise<boolean> {
  const end = Date.now() + (before ? 3_000 : 0);
  for (;;) {
    if (!(await runtime.isRunning(target))) return true;
    const now = before && (await runtime.describeTarget?.(target).catch(() => undefined));
    if (before && now && (now.startedAt !== before.startedAt || now.restartCount !== before.restartCount)) return true;
    if (Date.now() >= end) return false;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The target again once it runs (--follow-restarts): until then, or until a signal ends sidekick. */
async function untilRunning(runtime: Runtime, target: Target): Promise<Target> {
  const address = parseAddress(target.address);
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    try {
      return await runtime.findTarget(address);
    } catch (e) {
      // not running, gone for now, or the engine restarting: all worth waiting out
      debugLog(`waiting for ${target.address}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

/**
 * Where new connections go: they wait while a debugger starts, go through its transport once it
 * runs, and are refused (with the reason) while there is none.
 */
class Route {
  private next!: Promise<Transport | string>;
  private settle: (to: Transport | string) => void = () => undefined;

  constructor() {
    this.wait();
  }

  get current(): Promise<Transport | string> {
    return this.next;
  }

  wait(): void {
    this.settle('');
    this.next = new Promise((resolve) => (this.settle = resolve));
  }

  open(transport: Transport): void {
    this.settle(transport);
    this.next = Promise.resolve(transport);
  }

  /** refuses connections, the waiting ones included; an empty reason refuses them silently */
  refuse(why: string): void {
    this.settle(why);
    this.next = Promise.resolve(why);
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

/** Starts the namespace helper for the target, if its engine runs on this machine. */
async function startConnector(runtime: Runtime, target: Target): Promise<NetnsConnector> {
  const pid = await runtime.localPid?.(target).catch(() => undefined);
  if (!pid) throw new Error(`the ${runtime.engine} engine at ${runtime.endpoint} does not show its processes to this machine`);
  return startNetnsConnector(pid);
}

/**
 * Asks the debugger which network namespace it is in and whether it has nc, then picks how connections
 * go: the helper when it sits in that same namespace (so the engine really runs here), exec otherwise.
 */
async function chooseTransport(via: Via, dbg: Debugger, image: string, connecting: Promise<NetnsConnector> | undefined): Promise<Transport> {
  const probe = await dbg.exec!(['sh', '-c', 'readlink /proc/self/ns/net; command -v nc >/dev/null']);
  proc(probe);
  let out = '';
  probe.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const hasNc = (await probe.exited) === 0;
  const netns = out.trim();

  let connector: NetnsConnector | undefined;
  if (connecting) {
    try {
      connector = await connecting;
      if (!netns || connector.netns !== netns) {
        connector.close();
        throw new Error(`the process the engine names is not in the target's network namespace here (${connector.netns} vs ${netns || 'unknown'})`);
      }
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      if (via === 'nsenter') {
        throw new UserError(`cannot connect from the target's network namespace: ${why}`, {
          hint: "run sidekick as root on the engine's machine, or use --via exec",
          cause: e,
        });
      }
      connector = undefined;
      debugLog(`no namespace helper (${why}): using exec`);
    }
  }
  const execTransport: Transport | undefined = hasNc
    ? { via: 'exec', open: async (local, remote) => relay(local, await dbg.exec!(['nc', bracketed(remote.host), String(remote.port)])) }
    : undefined;
  if (connector) {
    const direct = connector;
    return {
      via: 'nsenter',
      open: async (local, remote) => {
        // A helper that died mid-session leaves exec, when the toolkit allows it.
        if (!direct.alive && execTransport) return execTransport.open(local, remote);
        return relaySockets(local, await direct.connect(remote.host, remote.port));
      },
    };
  }
  if (!execTransport) {
    throw new UserError(`the toolkit image ${image} has no nc, which port-forward needs`, { hint: 'pick one with busybox nc, e.g. --image busybox:musl' });
  }
  return execTransport;
}

/** Closes what a probe process does not use. */
function proc(p: { stdin: NodeJS.WritableStream; stderr: NodeJS.ReadableStream }): void {
  p.stdin.end();
  p.stderr.resume();
}

const bracketed = (host: string) => (host.includes(':') ? `[${host}]` : host);

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
