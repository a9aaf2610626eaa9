/** `sidekick exec TARGET [-- COMMAND...]`: a shell or a command in the target's namespaces and filesystem. */
import { isatty } from 'node:tty';
import { debugLog } from '../log.js';
import { parseAddress } from '../runtimes/address.js';
import { buildDebuggerSpec, copyNotice, DEFAULT_IMAGE, type ExecRequest } from '../entry/debugger-spec.js';
import { resolveTarget } from '../runtimes/engines.js';
import type { EngineName, EngineOptions } from '../runtimes/runtime.js';
import { UserError } from '../errors.js';
import { createProgress } from '../session/progress.js';
import { createGuardedDebugger, sessionOwner, type Keeping } from '../session/guard.js';
import { withCleanup } from '../session/interrupts.js';
import { runSession } from '../session/session.js';
import { copyRequest, type CopyFlags } from './exec-copy.js';

export interface ExecArgs extends ExecRequest, CopyFlags {
  target: string;
  quiet: boolean;
  engineOptions?: EngineOptions;
  /** the engine of an image:// target (--engine) */
  engine?: EngineName;
}

export async function execCommand(args: ExecArgs): Promise<number> {
  const say = (line: string) => {
    if (!args.quiet) process.stderr.write(`sidekick: ${line}\n`);
  };
  return withCleanup({ quiet: args.quiet }, async (cleanup) => {
    const image = args.target.startsWith('image://') ? await import('../runtimes/image-target.js') : undefined;
    if (args.engine && !image) throw new UserError('--engine picks the engine of an image://REF address', { hint: `name the engine in the address instead (${args.engine}://NAME)` });
    const address = image ? undefined : parseAddress(args.target);
    const copyPod = copyRequest(args, args.target, address, sessionOwner());
    if (copyPod && args.detach) throw new UserError('exec -d cannot keep a --copy session: the copy is deleted when the session ends', { hint: 'drop -d (or keep the copy with --keep and exec into it)', kind: 'invalid' });
    const { runtime, target } = image
      ? await image.resolveImage(image.imageReference(args.target)!, { pull: args.pull ?? 'missing', engine: args.engine, progress: createProgress({ quiet: args.quiet }) })
      : await resolveTarget(address!, args.engineOptions, { copyStopped: true, copyPod, toolkit: { image: args.image || DEFAULT_IMAGE, pull: args.pull ?? 'missing' } });
    debugLog(`target ${target.address} (${target.id.slice(0, 12)})`);
    if (target.picked) say(target.picked);
    if (target.stopped && args.detach) {
      throw new UserError(`exec -d needs a running target, and ${target.address} is not running`, { hint: 'drop -d to debug a copy of it', kind: 'not-running' });
    }
    if (target.stopped) say(copyNotice(target.stopped));
    const spec = buildDebuggerSpec(target, { ...args, profile: args.engineOptions?.profile }, {
      // not process.stdin.isTTY: that getter builds the stdin stream (a file's loads fs streams and
      // readline, ~2 ms) for sessions that never read it
      stdinIsTTY: isatty(0),
      term: process.env.TERM,
      localEnv: process.env,
      owner: sessionOwner(),
    });
    const keeping: Keeping | undefined = args.detach ? { kept: false } : undefined;
    const debuggerInstance = await createGuardedDebugger(runtime, target, spec, cleanup, args.quiet, keeping);
    if (debuggerInstance.notice) say(debuggerInstance.notice);
    if (keeping) return (await import('../session/detached.js')).startDetached(debuggerInstance, runtime.engine, keeping, say);
    // Notes matter to a person at a shell; scripts reading stderr get them under --debug only.
    for (const note of debuggerInstance.notes) (spec.tty ? say : debugLog)(note);
    return runSession(runtime, target, debuggerInstance, spec, { cleanup, say });
  });
}
