/**
 * `sidekick port-forward TARGET SPEC...`: local ports that reach ports inside the target's network
 * namespace, published or not (its loopback, hosts only it can reach). The parts are in
 * src/port-forward/: local ports, the route connections take, transports, one debugger per round,
 * and the engine's own port forwarding for the target's own ports where the engine has one (then
 * no debugger at all when every forward is to the target itself).
 * Runs until SIGINT/SIGTERM/SIGHUP (exit 130/143/129, after removing the debugger) or until the
 * target stops (exit 123); with --follow-restarts it keeps its ports and starts a new debugger
 * when the target runs again.
 */
import { EXIT } from '../errors.js';
import { debugLog } from '../log.js';
import { openForwards } from '../port-forward/local-ports.js';
import { debuggerStopped, forwardOnce, targetEnded, untilRunning, type DebuggerOptions, type RoundEnd } from '../port-forward/round.js';
import { fallbackRefused, nativeTransport, planNative, runEnds } from '../port-forward/native.js';
import { Route } from '../port-forward/route.js';
import { parseForwardSpecs } from '../port-forward/spec.js';
import { parseAddress } from '../runtimes/address.js';
import { resolveTarget } from '../runtimes/engines.js';
import type { EngineOptions } from '../runtimes/runtime.js';
import { Cleanup } from '../session/interrupts.js';

export type { Via } from '../port-forward/transport.js';

export interface PortForwardArgs extends DebuggerOptions {
  target: string;
  specs: string[];
  json: boolean;
  /** wait for a stopped target to run again instead of ending */
  followRestarts?: boolean;
  engineOptions?: EngineOptions;
}

export async function portForwardCommand(args: PortForwardArgs): Promise<number> {
  const say = (line: string) => {
    if (!args.quiet) process.stderr.write(`sidekick: ${line}\n`);
  };
  const specs = parseForwardSpecs(args.specs);
  const cleanup = new Cleanup();
  const untrap = cleanup.trapSignals({ quiet: args.quiet });
  try {
    const resolved = await resolveTarget(parseAddress(args.target), args.engineOptions);
    const { runtime } = resolved;
    let target = resolved.target;
    debugLog(`target ${target.address} (${target.id.slice(0, 12)})`);
    if (target.picked) say(target.picked);

    // The target's own ports through the engine's port forwarding where it has one; the rest through a debugger.
    const plan = await planNative(runtime, target, args.via, specs);
    const relayed = specs.filter((spec) => !plan.direct(spec));
    debugLog(`${specs.length - relayed.length} forward(s) through the engine's own port forwarding, ${relayed.length} through a debugger`);

    // Connections wait for their path; a port in use fails before anything is created.
    const route = new Route();
    const nativeRoute = new Route();
    cleanup.defer(() => {
      route.refuse('');
      nativeRoute.refuse('');
    });
    const ports = await openForwards(specs, () => target, (spec) => (plan.direct(spec) ? nativeRoute : route), say);
    cleanup.defer(() => ports.close());

    for (let round = 1; ; round++) {
      const scope = cleanup.scope();
      const announce = (relayVia = '') => {
        if (round > 1) return say(`the target ${target.address} runs again; forwarding resumes`);
        if (plan.fallback) say(plan.fallback);
        ports.announce(target.address, (spec) => (plan.direct(spec) ? plan.native!.via : relayVia), args.json);
        if (process.stderr.isTTY) say('forwarding; press Ctrl-C to stop');
      };
      // What the target's run looked like, to tell a quick restart from a debugger that failed (and, with
      // no debugger to end with it, to see the run end).
      const before = args.followRestarts || !relayed.length ? runtime.describeTarget(target).catch(() => undefined) : undefined;
      if (plan.native) nativeRoute.open(nativeTransport(plan.native));
      let ended: RoundEnd | undefined;
      try {
        if (relayed.length) {
          ended = await forwardOnce(runtime, target, { ...args, profile: args.engineOptions?.profile }, scope, route, (transport) => announce(transport.via));
        } else {
          announce();
          await runEnds(runtime, target, await before);
        }
      } catch (e) {
        // a target that stopped while its debugger was starting is followed like any stop
        if (cleanup.interruptedBy || !args.followRestarts || !(await targetEnded(runtime, target, await before))) throw fallbackRefused(plan, e);
        debugLog(`round ${round}: ${String(e)}`);
        ended = { code: -1, debuggerName: '', stderr: '' };
      }
      if (cleanup.interruptedBy) return 0; // the signal handler is cleaning up and exits
      if (ended) {
        debugLog(`debugger exited with ${ended.code}`);
        if (!(await targetEnded(runtime, target, await before))) throw debuggerStopped(ended);
      }
      route.refuse(`the target ${target.address} is not running`);
      nativeRoute.refuse(`the target ${target.address} is not running`);
      await scope.run();
      if (!args.followRestarts) {
        say(`the target ${target.address} stopped; port-forward ended${relayed.length ? ' and the debugger was removed' : ''}`);
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
