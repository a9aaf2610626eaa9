/** `sidekick completion bash|zsh|fish` prints a completion script; `--targets` feeds it addresses. */
import { UserError } from '../errors.js';
import { completionScript, SHELLS, type Shell } from '../completion/scripts.js';
import type { EngineOptions } from '../runtimes/runtime.js';

/** A shell waits for this at most: engines that have not answered by then are left out. */
const TARGETS_WITHIN_MS = 2000;

export async function completionCommand(args: { shell?: string; targets: boolean; engineOptions?: EngineOptions }): Promise<number> {
  if (args.targets) return printTargets(args.engineOptions ?? {});
  if (!args.shell || !(SHELLS as readonly string[]).includes(args.shell)) {
    throw new UserError(args.shell ? `no completion for the shell "${args.shell}"` : 'name a shell', { hint: `use one of ${SHELLS.join(', ')}` });
  }
  process.stdout.write(completionScript(args.shell as Shell));
  return 0;
}

/** Each engine's addresses as soon as it answers; whatever has not answered in time is dropped. */
async function printTargets(options: EngineOptions): Promise<number> {
  const { onEveryEngine } = await import('../runtimes/engines.js');
  const all = onEveryEngine(options, async (runtime) => {
    const targets = await runtime.listTargets();
    if (targets.length) process.stdout.write(`${targets.map((t) => t.address).join('\n')}\n`);
    return [];
  });
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([all, new Promise((resolve) => (timer = setTimeout(resolve, TARGETS_WITHIN_MS)))]);
  clearTimeout(timer);
  // an engine still connecting must not keep the process (and the shell) waiting
  process.exit(0);
}
