/**
 * One round of a forward: a debugger joins the target (it runs `cat` on its attached stdin, so it
 * ends with the CLI however the CLI ends), connections go through it, and the round ends when it
 * exits. With --follow-restarts, rounds follow one another as the target restarts.
 */
import { buildDebuggerSpec } from '../entry/debugger-spec.js';
import { UserError } from '../errors.js';
import { debugLog } from '../log.js';
import { parseAddress } from '../runtimes/address.js';
import { engineLost } from '../runtimes/errors.js';
import type { PullPolicy, Runtime, Target, TargetDetails } from '../runtimes/runtime.js';
import { createGuardedDebugger, sessionOwner } from '../session/guard.js';
import type { Cleanup } from '../session/interrupts.js';
import { stillRunning } from '../session/session.js';
import type { Route, Transport } from './route.js';
import { chooseTransport, startConnector, type Via } from './transport.js';

/** What the debugger runs: `cat` on its attached stdin, which ends when the CLI's connection closes. */
const HOLD_COMMAND = ['cat'];

/** The user's choices about the debugger and how connections go. */
export interface DebuggerOptions {
  via: Via;
  image?: string;
  pull?: PullPolicy;
  name?: string;
  /** the debugger's security profile (src/runtimes/security.ts) */
  profile?: string;
  quiet: boolean;
}

export interface RoundEnd {
  code: number;
  debuggerName: string;
  /** the debugger's last words, which explain an early end */
  stderr: string;
}

/**
 * One debugger's life: it joins the target, connections go through it, and this returns when it
 * exits (the target stopped, or the debugger failed). Its removal is registered in `scope`.
 */
export async function forwardOnce(
  runtime: Runtime,
  target: Target,
  args: DebuggerOptions,
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
    { image: args.image, pull: args.pull, name: args.name, command: HOLD_COMMAND, interactive: true, tty: false, profile: args.profile },
    { stdinIsTTY: false, localEnv: {}, owner: sessionOwner() },
  );
  const dbg = await createGuardedDebugger(runtime, target, spec, scope, args.quiet);
  for (const note of dbg.notes) debugLog(note);

  // Holding the attached stdin open keeps the debugger alive; its stderr explains an early end.
  let stderr = '';
  const { exited } = await dbg.launch({
    attached: (streams) => {
      streams.stderr?.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString('utf8')).slice(-2000);
      });
      streams.stdout.resume();
    },
  });
  debugLog('started');
  const transport = await chooseTransport(args.via, dbg, spec.image, connecting);
  debugLog(`connections go through ${transport.via}`);
  route.open(transport);
  announce(transport);

  const code = await exited.catch((e: unknown) => {
    throw engineLost(runtime.engine, runtime.endpoint, e);
  });
  return { code, debuggerName: dbg.name, stderr };
}

/** A debugger that ended while its target still runs: its last words say why. */
export function debuggerStopped(ended: RoundEnd): UserError {
  const why = ended.stderr.trim().split('\n').at(-1)?.replace(/^sidekick: /, '');
  return new UserError(`the port-forward debugger ${ended.debuggerName} stopped (exit code ${ended.code})${why ? `: ${why}` : ''}`, {
    hint: 'run again with --debug for details',
  });
}

/**
 * Whether the target's run that the debugger joined is over: it stopped, or (given how it looked
 * then) it already runs again. The engine may learn of either a moment after the debugger ended.
 */
export async function targetEnded(runtime: Runtime, target: Target, before: TargetDetails | undefined): Promise<boolean> {
  const end = Date.now() + (before ? 3_000 : 0);
  for (;;) {
    if (!(await stillRunning(runtime, target))) return true;
    const now = before && (await runtime.describeTarget(target).catch(() => undefined));
    if (before && now && (now.startedAt !== before.startedAt || now.restartCount !== before.restartCount)) return true;
    if (Date.now() >= end) return false;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The target again once it runs (--follow-restarts): until then, or until a signal ends sidekick. */
export async function untilRunning(runtime: Runtime, target: Target): Promise<Target> {
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
