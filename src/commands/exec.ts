/** `sidekick exec TARGET [-- COMMAND...]`: a shell or a command in the target's namespaces and filesystem. */
import { hostname, userInfo } from 'node:os';
import { debugLog } from '../log.js';
import { parseAddress } from '../runtimes/address.js';
import { buildDebuggerSpec, type ExecRequest } from '../runtimes/debugger-spec.js';
import { resolveTarget } from '../runtimes/engines.js';
import type { EngineOptions } from '../runtimes/runtime.js';
import { guardDebugger } from '../shell/guard.js';
import { Cleanup } from '../shell/interrupts.js';
import { createProgress } from '../shell/progress.js';
import { runSession } from '../shell/session.js';

export interface ExecArgs extends ExecRequest {
  target: string;
  quiet: boolean;
  engineOptions?: EngineOptions;
}

export async function execCommand(args: ExecArgs): Promise<number> {
  const say = (line: string) => {
    if (!args.quiet) process.stderr.write(`sidekick: ${line}\n`);
  };
  const cleanup = new Cleanup();
  const untrap = cleanup.trapSignals({ quiet: args.quiet });
  try {
    const { runtime, target } = await resolveTarget(parseAddress(args.target), args.engineOptions);
    debugLog(`target ${target.address} (${target.id.slice(0, 12)})`);
    const spec = buildDebuggerSpec(target, args, {
      stdinIsTTY: Boolean(process.stdin.isTTY),
      term: process.env.TERM,
      localEnv: process.env,
      owner: `${currentUser()}@${hostname()}:${process.pid}`,
    });

    const debuggerInstance = await cleanup.track(runtime.createDebugger(target, spec, createProgress({ quiet: args.quiet })));
    // The reaper removes the debugger if this process dies without doing it (SIGKILL).
    const guard = guardDebugger(debuggerInstance.orphanCleanup);
    cleanup.defer(() => guard.release());
    cleanup.defer(async () => {
      await debuggerInstance.remove();
      debugLog('removed');
    });
    debugLog(`created debugger ${debuggerInstance.name}`);
    // Notes matter to a person at a shell; scripts reading stderr get them under --debug only.
    for (const note of debuggerInstance.notes) (spec.tty ? say : debugLog)(note);

    return await runSession(runtime, target, debuggerInstance, spec, { cleanup, say });
  } finally {
    if (!cleanup.interruptedBy) {
      await cleanup.run();
      untrap();
    } else {
      await new Promise(() => undefined); // the signal handler finishes the cleanup and exits
    }
  }
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return String(process.getuid?.() ?? 'unknown');
  }
}
