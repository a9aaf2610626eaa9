/**
 * How connections reach the target:
 *   - exec: `nc HOST PORT` run in the debugger through the engine's exec API (works everywhere), or
 *   - nsenter: a socket connected from the target's network namespace by a helper on this machine
 *     (netns.ts), when the engine runs here and sidekick may enter namespaces; several times faster.
 *     `--via auto` (the default) takes it when it works, exec otherwise.
 */
import { UserError } from '../errors.js';
import { debugLog } from '../log.js';
import type { Debugger, Runtime, Target } from '../runtimes/runtime.js';
import { startNetnsConnector, type NetnsConnector } from './netns.js';
import { relay, relaySockets } from './relay.js';
import type { Transport } from './route.js';

export type Via = 'auto' | 'exec' | 'nsenter';

/** Starts the namespace helper for the target, if its engine runs on this machine. */
export async function startConnector(runtime: Runtime, target: Target): Promise<NetnsConnector> {
  const pid = await runtime.localPid(target).catch(() => undefined);
  if (!pid) throw new Error(`the ${runtime.engine} engine at ${runtime.endpoint} does not show its processes to this machine`);
  return startNetnsConnector(pid);
}

/**
 * Asks the debugger which network namespace it is in and whether it has nc, then picks how connections
 * go: the helper when it sits in that same namespace (so the engine really runs here), exec otherwise.
 */
export async function chooseTransport(via: Via, dbg: Debugger, image: string, connecting: Promise<NetnsConnector> | undefined): Promise<Transport> {
  const probe = await dbg.exec(['sh', '-c', 'readlink /proc/self/ns/net; command -v nc >/dev/null']);
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
    ? { via: 'exec', open: async (local, remote) => relay(local, await dbg.exec(['nc', bracketed(remote.host), String(remote.port)])) }
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
