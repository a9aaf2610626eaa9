/**
 * Forwards to the target itself through the engine's own port forwarding (Runtime.nativePorts,
 * Kubernetes' pods/portforward): no debugger, one engine stream per connection. Forwards to other
 * hosts still go through a debugger (round.ts). When the credentials may not use the engine's way,
 * the target's own ports go through the debugger too, and the user is told.
 */
import { isKind, UserError } from '../errors.js';
import type { NativePorts, Runtime, Target, TargetDetails } from '../runtimes/runtime.js';
import { stillRunning } from '../session/session.js';
import { relaySockets } from './relay.js';
import type { Transport } from './route.js';
import type { ForwardSpec } from './spec.js';
import type { Via } from './transport.js';

// How often a forward without a debugger asks whether its target still runs (a debugger's end says so otherwise).
const WATCH_MS = 1000;

/** Which forwards take the engine's own path, and what the user should hear about it. */
export interface NativePlan {
  native?: NativePorts;
  /** whether this forward goes through the engine's own path */
  direct(spec: ForwardSpec): boolean;
  /** one line for the user when the target's own ports fall back to a debugger */
  fallback?: string;
}

/** The plan for these forwards: the engine's own path under --via auto, where it has one and may use it. */
export async function planNative(runtime: Runtime, target: Target, via: Via, specs: ForwardSpec[]): Promise<NativePlan> {
  const native = via === 'auto' && runtime.nativePorts ? await runtime.nativePorts(target) : undefined;
  if (!native) return { direct: () => false };
  if (native.refused) {
    const own = specs.some((s) => native.reaches(s.remote.host));
    return { native, direct: () => false, fallback: own ? `${native.refused.reason}: forwarding through a debugger instead` : undefined };
  }
  return { native, direct: (spec) => native.reaches(spec.remote.host) };
}

/** Connections through the engine's own port forwarding. */
export function nativeTransport(native: NativePorts): Transport {
  return { via: native.via, open: async (local, remote) => relaySockets(local, await native.connect(remote.port)) };
}

/**
 * The debugger that was to replace the engine's own path is refused too: one line that names both
 * refusals, and what to ask for.
 */
export function fallbackRefused(plan: NativePlan, e: unknown): unknown {
  if (!plan.fallback || !plan.native?.refused || !isKind(e, 'denied')) return e;
  return new UserError(`${plan.native.refused.reason}, and the debugger that would forward instead is refused too (${e.message})`, {
    hint: plan.native.refused.hint,
    kind: 'denied',
    cause: e,
  });
}

/**
 * A round without a debugger: resolves once the target's run is over (it stopped, is gone, or runs
 * again since `before`), as a debugger's end would tell.
 */
export async function runEnds(runtime: Runtime, target: Target, before: TargetDetails | undefined): Promise<void> {
  for (;;) {
    await new Promise((r) => setTimeout(r, WATCH_MS));
    if (!(await stillRunning(runtime, target))) return;
    const now = before && (await runtime.describeTarget(target).catch(() => undefined));
    if (before && now && (now.startedAt !== before.startedAt || now.restartCount !== before.restartCount)) return;
  }
}
