/**
 * The single executable's one entry (scripts/package.mjs bundles it with everything else into one
 * CommonJS file). Where the npm package has a file per entry in dist/, the executable is started
 * with a marker word naming the entry (src/self.ts), or under a plugin's name (a link named
 * kubectl-sidekick or docker-sidekick); anything else is the CLI.
 */
import { basename } from 'node:path';
import { SEA_ENTRY_PREFIX } from './self.js';

const marker = process.argv[2]?.startsWith(SEA_ENTRY_PREFIX) ? process.argv.splice(2, 1)[0]!.slice(SEA_ENTRY_PREFIX.length) : undefined;
const entry = marker ?? basename(process.argv0);

// import() of bundled modules: esbuild turns each into a lazy call inside the one file.
if (entry === 'reaper') void import('./session/reaper.js');
else if (entry === 'netns-helper') void import('./port-forward/netns-helper.js');
else if (entry === 'docker-sidekick') void import('./plugins/docker-sidekick.js');
else if (entry === 'kubectl-sidekick') void import('./plugins/kubectl-sidekick.js');
else void import('./cli.js');
