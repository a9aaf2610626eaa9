/** `sidekick targets`: running containers on every reachable engine. */
import { onEveryEngine } from '../runtimes/engines.js';
import type { EngineOptions } from '../runtimes/runtime.js';
import { formatAge, renderTable } from '../format.js';

export async function targetsCommand(args: { json: boolean; engineOptions: EngineOptions }): Promise<number> {
  const targets = await onEveryEngine(args.engineOptions, (r) => r.listTargets());
  if (args.json) {
    process.stdout.write(`${JSON.stringify(targets.map((t) => ({ ...t, created: t.created.toISOString() })), null, 2)}\n`);
    return 0;
  }
  const rows = targets.map((t) => [t.address, t.engine, t.image, t.status, formatAge(t.created)]);
  process.stdout.write(`${renderTable(['ADDRESS', 'ENGINE', 'IMAGE', 'STATUS', 'AGE'], rows)}\n`);
  return 0;
}
