/** `sidekick exec TARGET [-- COMMAND...]`: a shell or a command in the target's namespaces and filesystem. */
import { debugLog } from '../log.js';
import { parseAddress } from '../runtimes/address.js';
import { buildDebuggerSpec, copyNotice, type ExecRequest } from '../entry/debugger-spec.js';
import { resolveTarget } from '../runtimes/engines.js';
import type { EngineOptions } from '../runtimes/runtime.js';
import { createGuardedDebugger, sessionOwner } from '../session/guard.js';
import { withCleanup } from '../session/interrupts.js';
import { runSession } from '../session/session.js';
import { copyRequest, type CopyFlags } from './exec-copy.js';

export interface ExecArgs extends ExecRequest, CopyFlags {
  target: string;
  quiet: boolean;
  engineOptions?: EngineOptions;
}

export async function execCommand(args: ExecArgs): Promise<number> {
  const say = (line: string) => {
    if (!args.quiet) process.stderr.write(`sidekick: ${line}\n`);
  };
  return withCleanup({ quiet: args.quiet }, async (cleanup) => {
    const image = args.target.startsWith('image://') ? await import('../runtimes/image-target.js') : undefined;
    const address = image ? undefined : parseAddress(args.target);
    const copyPod = copyRequest(args, args.target, address, sessionOwner());
    const { runtime, target } = image
      ? await image.resolveImage(image.imageReference(args.target)!, args.pull ?? 'missing')
      : await resolveTarget(address!, args.engineOptions, { copyStopped: true, copyPod });
    debugLog(`target ${target.address} (${target.id.slice(0, 12)})`);
    if (target.picked) say(target.picked);
    if (target.stopped) say(copyNotice(target.stopped));
    const spec = buildDebuggerSpec(target, { ...args, profile: args.engineOptions?.profile }, {
      stdinIsTTY: Boolean(process.stdin.isTTY),
      term: process.env.TERM,
      localEnv: process.env,
      owner: sessionOwner(),
    });
    const debuggerInstance = await createGuardedDebugger(runtime, target, spec, cleanup, args.quiet);
    if (debuggerInstance.notice) say(debuggerInstance.notice);
    // Notes matter to a person at a shell; scripts reading stderr get them under --debug only.
    for (const note of debuggerInstance.notes) (spec.tty ? say : debugLog)(note);
    return runSession(runtime, target, debuggerInstance, spec, { cleanup, say });
  });
}
