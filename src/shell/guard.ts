/** Starts the reaper for a debugger (see reaper.ts) and tells it when the CLI cleaned up itself. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CleanupRecipe } from '../runtimes/runtime.js';
import { debugLog } from '../log.js';

export interface Guard {
  /** the CLI removed the debugger: the reaper can go */
  release(): void;
}

export function guardDebugger(recipe: CleanupRecipe): Guard {
  // In the bundle, reaper.js sits next to every chunk in dist/.
  const script = fileURLToPath(new URL('./reaper.js', import.meta.url));
  if (!existsSync(script)) {
    debugLog(`no reaper at ${script}: a killed CLI may leave its debugger behind`);
    return { release: () => undefined };
  }
  const child = spawn(process.execPath, [script, JSON.stringify(recipe)], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  child.unref();
  const pipe = child.stdin!;
  pipe.on('error', () => undefined);
  (pipe as unknown as { unref?: () => void }).unref?.();
  return {
    release() {
      pipe.end('done');
    },
  };
}
