/**
 * kubectl's plugin: kubectl runs `kubectl-sidekick` (found on PATH) for `kubectl sidekick ...` with
 * the words after "sidekick". sidekick already reads kubectl's -n, --context and --kubeconfig; here a
 * bare target is a pod.
 */
import { withDefaultEngine } from './default-engine.js';

process.argv.splice(2, Infinity, ...withDefaultEngine(process.argv.slice(2), 'pod/'));
// Imported after argv is rewritten: the CLI reads it as it loads.
void import('../cli.js');
