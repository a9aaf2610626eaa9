/**
 * How sidekick starts one of its own entry points again (the reaper, the netns helper, the CLI, the
 * plugins) as a new process. From npm, each is a file in dist/ that Node runs; in the single
 * executable (scripts/package.mjs) there is one file, which takes the entry's name as a marker word
 * in place of the script (see src/sea-main.ts).
 */
import { existsSync } from 'node:fs';
import { isSea } from 'node:sea';
import { fileURLToPath } from 'node:url';

export type EntryName = 'cli' | 'reaper' | 'netns-helper' | 'docker-sidekick';

/** The word the single executable reads as "run this entry"; never a real path. */
export const SEA_ENTRY_PREFIX = 'sidekick-entry:';

/**
 * The program and its first argument that start an entry; the entry's own arguments follow. Undefined
 * when the entry is not there (sidekick running from its sources, in tests).
 */
export function ownEntry(name: EntryName): [file: string, script: string] | undefined {
  if (isSea()) return [process.execPath, `${SEA_ENTRY_PREFIX}${name}`];
  // In the bundle, every entry sits next to every chunk in dist/.
  const script = fileURLToPath(new URL(`./${name}.js`, import.meta.url));
  return existsSync(script) ? [process.execPath, script] : undefined;
}
