/** `sidekick sessions`: live debuggers on every reachable engine. `sidekick cleanup`: remove stale ones. */
import { hostname } from 'node:os';
import type { DebuggerInfo, EngineOptions, Runtime } from '../runtimes/runtime.js';
import { connect, onEveryEngine } from '../runtimes/engines.js';
import { formatAge, renderTable } from '../format.js';

function allDebuggers(options: EngineOptions): Promise<Array<{ runtime: Runtime; info: DebuggerInfo }>> {
  return onEveryEngine(options, async (runtime) => (await runtime.listDebuggers()).map((info) => ({ runtime, info })));
}

export async function sessionsCommand(args: { json: boolean; engineOptions: EngineOptions }): Promise<number> {
  const found = await allDebuggers(args.engineOptions);
  if (args.json) {
    const out = found.map(({ info }) => ({ ...info, created: info.created.toISOString() }));
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  const rows = found.map(({ info }) => [info.name, info.engine, info.target, info.status, formatAge(info.created), info.owner ?? '']);
  process.stdout.write(`${renderTable(['DEBUGGER', 'ENGINE', 'TARGET', 'STATUS', 'AGE', 'STARTED BY'], rows)}\n`);
  return 0;
}

/** A debugger is stale when it is not running, or its CLI (on this host) is gone. */
export function isStale(info: DebuggerInfo, host = hostname(), alive = processAlive): boolean {
  if (!info.running) return true;
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
  if (args.only?.startsWith('k8s://')) {
    // one Kubernetes debugger, named by the reaper of a killed session: no listing needed
    await (await connect('kubernetes', args.engineOptions)).removeDebugger(args.only);
    return 0;
  }
  const found = await allDebuggers(args.engineOptions);
  let removed = 0;
  for (const { runtime, info } of found) {
    if (args.only ? info.id !== args.only : !args.all && !isStale(info)) continue;
    await runtime.removeDebugger(info.id);
    removed++;
    if (!args.quiet) process.stdout.write(`removed ${info.engine} debugger ${info.name} (target ${info.target})\n`);
  }
  if (!args.quiet && removed === 0) process.stdout.write('nothing to clean up\n');
  return 0;
}
