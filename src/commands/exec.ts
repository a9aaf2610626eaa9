/** `sidekick exec TARGET [-- COMMAND...]`: a shell or a command in the target's namespaces and filesystem. */
import { userInfo, hostname } from 'node:os';
import { debugLog } from '../log.js';
import { parseAddress } from '../runtimes/address.js';
import { buildDebuggerSpec, type ExecRequest } from '../runtimes/debugger-spec.js';
import { resolveTarget } from '../runtimes/engines.js';
import { createProgress } from '../shell/progress.js';
import { runSession } from '../shell/session.js';

export interface ExecArgs extends ExecRequest {
  target: string;
  quiet: boolean;
}

export async function execCommand(args: ExecArgs): Promise<number> {
  const say = (line: string) => {
    if (!args.quiet) process.stderr.write(`sidekick: ${line}\n`);
  };
  const address = parseAddress(args.target);
  const { runtime, target } = await resolveTarget(address);
  debugLog(`target ${target.address} (${target.id.slice(0, 12)})`);
  const spec = buildDebuggerSpec(target, args, {
    stdinIsTTY: Boolean(process.stdin.isTTY),
    term: process.env.TERM,
    localEnv: process.env,
    owner: `${safeUser()}@${hostname()}:${process.pid}`,
  });
  const debuggerInstance = await runtime.createDebugger(target, spec, createProgress({ quiet: args.quiet }));
  debugLog(`created debugger ${debuggerInstance.name}`);
  // Notes matter to a person at a shell; scripts reading stderr get them under --debug only.
  for (const note of debuggerInstance.notes) (spec.tty ? say : debugLog)(note);
  return runSession(runtime, target, debuggerInstance, spec, { quiet: args.quiet, say });
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return String(process.getuid?.() ?? 'unknown');
  }
}
