/** `sidekick sessions`: live debuggers on every reachable engine. `sidekick cleanup`: remove stale ones. */
import { hostname } from 'node:os';
import { UserError } from '../errors.js';
import { parseAddress } from '../runtimes/address.js';
import type { DebuggerInfo, EngineOptions, RemovedDebugger, Runtime } from '../runtimes/runtime.js';
import { connect, onEveryEngine } from '../runtimes/engines.js';
import { formatAge, renderTable } from '../format.js';

function allDebuggers(options: EngineOptions): Promise<Array<{ runtime: Runtime; info: DebuggerInfo }>> {
  return onEveryEngine(options, async (runtime) => (await runtime.listDebuggers()).map((info) => ({ runtime, info })));
}

export async function sessionsCommand(args: { json: boolean; engineOptions: EngineOptions }): Promise<number> {
  const found = await allDebuggers(args.engineOptions);
  if (args.json) {
    const out = found.map(({ info }) => ({ ...info, detached: info.detached ?? false, attachable: info.attachable ?? false, created: info.created.toISOString() }));
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  const rows = found.map(({ info }) => [info.name, info.engine, info.target, info.status, info.attachable ? 'yes' : 'no', formatAge(info.created), info.owner ?? '']);
  process.stdout.write(`${renderTable(['DEBUGGER', 'ENGINE', 'TARGET', 'STATUS', 'ATTACH', 'AGE', 'STARTED BY'], rows)}\n`);
  return 0;
}

/** A debugger is stale when it is not running, or its CLI (on this host) is gone, unless it runs detached (exec -d). */
export function isStale(info: DebuggerInfo, host = hostname(), alive = processAlive): boolean {
  if (!info.running) return true;
  if (info.detached) return false;
  const owner = /@([^:]+):(\d+)$/.exec(info.owner ?? '');
  if (!owner || owner[1] !== host) return false;
  return !alive(Number(owner[2]));
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function cleanupCommand(args: { all: boolean; quiet: boolean; only?: string; engineOptions: EngineOptions }): Promise<number> {
  const say = (removed: RemovedDebugger, engine: string) => {
    if (!args.quiet) process.stdout.write(`removed ${engine} debugger ${removed.name} (target ${removed.target})\n`);
  };
  if (args.only !== undefined) {
    // one debugger by its address (as "sessions --json" and the reaper of a killed session give it): no listing needed
    const address = parseAddress(args.only);
    if (!address.engine) throw new UserError(`"${args.only}" is not a debugger's address`, { hint: 'give its id as "sidekick sessions --json" shows it', kind: 'invalid' });
    const removed = await (await connect(address.engine, args.engineOptions)).removeDebugger(address);
    if (removed) say(removed, address.engine);
    else if (!args.quiet) process.stdout.write('nothing to clean up\n');
    return 0;
  }
  const found = await allDebuggers(args.engineOptions);
  let removed = 0;
  for (const { runtime, info } of found) {
    if (!args.all && !isStale(info)) continue;
    // undefined: gone meanwhile, or nothing the engine can remove (an ephemeral container that ended)
    const gone = await runtime.removeDebugger(parseAddress(info.id));
    if (!gone) continue;
    removed++;
    say(gone, info.engine);
  }
  if (!args.quiet && removed === 0) process.stdout.write('nothing to clean up\n');
  return 0;
}
