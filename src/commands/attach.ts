/**
 * `sidekick attach SESSION`: the terminal joins a debugger started with `exec -d` (or, on
 * Kubernetes, an ephemeral debugger that still runs with stdin and a TTY) again. When its process
 * ends, sidekick exits with its exit code and the debugger is removed; ctrl-p ctrl-q (or --detach-keys)
 * leaves it running.
 */
import { UserError } from '../errors.js';
import { parseAddress, type TargetAddress } from '../runtimes/address.js';
import { connect, onEveryEngine } from '../runtimes/engines.js';
import { noSession } from '../runtimes/errors.js';
import type { EngineOptions, Runtime } from '../runtimes/runtime.js';
import { DEFAULT_DETACH_KEYS, parseDetachKeys } from '../session/detach-keys.js';
import { withCleanup } from '../session/interrupts.js';
import { runAttached } from '../session/reattach.js';

export interface AttachArgs {
  session: string;
  quiet: boolean;
  /** --detach-keys, in Docker's syntax (ctrl-p,ctrl-q) */
  detachKeys?: string;
  engineOptions: EngineOptions;
}

export async function attachCommand(args: AttachArgs): Promise<number> {
  const say = (line: string) => {
    if (!args.quiet) process.stderr.write(`sidekick: ${line}\n`);
  };
  const keys = args.detachKeys === undefined || args.detachKeys === '' ? DEFAULT_DETACH_KEYS : parseDetachKeys(args.detachKeys);
  const { runtime, address } = await findSession(args.session, args.engineOptions);
  if (!runtime.attachDebugger) throw new UserError(`attach is not available on ${runtime.engine}`, { kind: 'invalid' });
  return withCleanup({ quiet: args.quiet }, async (cleanup) => {
    const session = await runtime.attachDebugger!(address);
    const caveat = session.endsOnDetach ? `, but ${session.endsOnDetach}` : '';
    // said once the keys work (the terminal is raw): one typed right after the line is not lost
    const end = await runAttached(session, cleanup, keys.bytes, () =>
      say(`attached to ${session.name}${session.tty ? ' (press Enter for a prompt)' : ''}; ${keys.name} detaches${caveat}`),
    );
    if (end.detached) {
      say(session.endsOnDetach ? `detached; ${session.endsOnDetach}` : `detached; ${session.name} still runs: "sidekick attach ${args.session}" comes back`);
      return 0;
    }
    await session.remove();
    return end.code;
  });
}

/** An address names its engine; a bare name is looked for among the sessions of every engine. */
async function findSession(text: string, options: EngineOptions): Promise<{ runtime: Runtime; address: TargetAddress }> {
  const address = parseAddress(text);
  if (address.engine) return { runtime: await connect(address.engine, options), address };
  const found = await onEveryEngine(options, async (runtime) =>
    (await runtime.listDebuggers()).filter((d) => d.name === text).map((d) => ({ runtime, id: d.id })),
  );
  if (found.length === 0) throw noSession(text);
  if (found.length > 1) {
    throw new UserError(`"${text}" names several sessions: ${found.map((f) => f.id).join(', ')}`, { hint: 'give one of these addresses', kind: 'ambiguous' });
  }
  return { runtime: found[0]!.runtime, address: parseAddress(found[0]!.id) };
}
