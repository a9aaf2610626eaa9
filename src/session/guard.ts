/** Starts the reaper for a debugger (see reaper.ts) and tells it when the CLI cleaned up itself. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import type { CleanupRecipe, Debugger, DebuggerSpec, Runtime, Target } from '../runtimes/runtime.js';
import type { Cleanup } from './interrupts.js';
import { createProgress } from './progress.js';
import { debugLog } from '../log.js';
import { ownEntry } from '../self.js';

export interface Guard {
  /** the CLI removed the debugger: the reaper can go */
  release(): void;
  /** the CLI leaves now: the reaper runs the recipe in the background for whatever is left */
  handOver(): void;
}

const WAITER_SHELL = '/bin/sh';
// $1 node, $2 reaper.js, $3 the recipe: arguments, never spliced into the script. The reaper then
// finds its stdin at end of file and runs the recipe.
const WAIT_THEN_REAP = 'IFS= read -r word; [ "$word" = done ] || exec "$1" "$2" "$3"';
// A recipe that is a command is run by the waiting sh itself: no Node start where none is needed.
const WAIT_THEN_RUN = 'IFS= read -r word; [ "$word" = done ] || exec "$@"';

export function guardDebugger(recipe: CleanupRecipe): Guard {
  const entry = ownEntry('reaper');
  if (!entry) {
    debugLog('no reaper next to the CLI: a killed CLI may leave its debugger behind');
    return { release: () => undefined, handOver: () => undefined };
  }
  const [node, script] = entry;
  // A tiny sh waits on the pipe and starts Node (the reaper proper) only if the CLI dies without
  // saying "done": a second Node process at every session start cost ~30 ms on 2 cores.
  const useShell = existsSync(WAITER_SHELL);
  const [file, args] = !useShell
    ? [node, [script, JSON.stringify(recipe)]]
    : recipe.kind === 'exec'
      ? [WAITER_SHELL, ['-c', WAIT_THEN_RUN, 'sidekick-reaper', recipe.file, ...recipe.args]]
      : [WAITER_SHELL, ['-c', WAIT_THEN_REAP, 'sidekick-reaper', node, script, JSON.stringify(recipe)]];
  const child = spawn(file, args, {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  child.unref();
  const pipe = child.stdin!;
  pipe.on('error', () => undefined);
  (pipe as unknown as { unref?: () => void }).unref?.();
  return {
    release() {
      pipe.end('done');
    },
    handOver() {
      pipe.end();
    },
  };
}

/** Who runs this session, as debuggers record it (user@host:pid), for `sidekick sessions` and `cleanup`. */
export function sessionOwner(): string {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = String(process.getuid?.() ?? 'unknown');
  }
  return `${user}@${hostname()}:${process.pid}`;
}

/** `exec -d`: once the debugger runs detached, `kept` tells the guard and the Cleanup to leave it be. */
export interface Keeping {
  kept: boolean;
}

/**
 * Creates a debugger that never outlives the session (unless kept, see Keeping): a signal during creation waits for it, the
 * Cleanup removes it, and the reaper removes it if this process is killed outright.
 */
export async function createGuardedDebugger(runtime: Runtime, target: Target, spec: DebuggerSpec, cleanup: Cleanup, quiet: boolean, keeping?: Keeping): Promise<Debugger> {
  // A debugger that makes other things first (a copy of a stopped target) is guarded before it makes them.
  const planned = await runtime.plannedCleanup?.(target, spec);
  const early = planned && guardDebugger(planned);
  let made = false;
  // interrupted while making it (a Kubernetes copy may wait longer than a signal waits): the reaper removes what was made
  if (early) cleanup.defer(() => (made || !cleanup.interruptedBy ? early.release() : early.handOver()));
  const dbg = await cleanup.track(runtime.createDebugger(target, spec, createProgress({ quiet })));
  made = true;
  if (!early) {
    const guard = guardDebugger(dbg.orphanCleanup);
    cleanup.defer(() => (!keeping?.kept && dbg.removedByEngine?.() ? guard.handOver() : guard.release()));
  }
  cleanup.defer(async () => {
    if (keeping?.kept) return;
    await dbg.remove();
    debugLog(dbg.removedByEngine?.() ? 'removed by the engine; the reaper checks in the background' : 'removed');
  });
  debugLog(`created debugger ${dbg.name}`);
  return dbg;
}
