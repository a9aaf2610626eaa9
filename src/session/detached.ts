/** `exec -d`: starts a created debugger with nobody attached, keeps it, and says how to come back to it. */
import { UserError } from '../errors.js';
import type { Debugger, EngineName } from '../runtimes/runtime.js';
import type { Keeping } from './guard.js';

export async function startDetached(dbg: Debugger, engine: EngineName, keeping: Keeping, say: (line: string) => void): Promise<number> {
  if (!dbg.startDetached) throw new UserError(`exec -d is not available on ${engine}`, { hint: 'run the session attached (without -d)', kind: 'invalid' });
  const id = await dbg.startDetached();
  keeping.kept = true;
  // the address for scripts on stdout, the way back for people on stderr
  process.stdout.write(`${id}\n`);
  say(`${dbg.name} runs detached: come back with "sidekick attach ${dbg.name}"`);
  return 0;
}
