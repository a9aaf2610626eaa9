/** `sidekick targets`: running containers on every reachable engine. */
import { reachableRuntimes } from '../runtimes/engines.js';
import { formatAge, renderTable } from '../shell/format.js';

export async function targetsCommand(args: { json: boolean }): Promise<number> {
  const runtimes = await reachableRuntimes();
  const targets = (await Promise.all(runtimes.map((r) => r.listTargets()))).flat();
  if (args.json) {
    process.stdout.write(`${JSON.stringify(targets.map((t) => ({ ...t, created: t.created.toISOString() })), null, 2)}\n`);
    return 0;
  }
  const rows = targets.map((t) => [t.address, t.engine, t.image, t.status, formatAge(t.created)]);
  process.stdout.write(`${renderTable(['ADDRESS', 'ENGINE', 'IMAGE', 'STATUS', 'AGE'], rows)}\n`);
  return 0;
}
