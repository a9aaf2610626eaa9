/**
 * The Docker CLI plugin's entry (`sidekick plugins install` puts a launcher for it into
 * cli-plugins/). Docker asks a plugin `docker-cli-plugin-metadata` to list it, and runs
 * `docker sidekick ARGS` as `docker-sidekick sidekick ARGS`; a bare target is a Docker container.
 */
import { VERSION } from '../version.js';
import { withDefaultEngine } from './default-engine.js';

const args = process.argv.slice(2);
if (args[0] === 'docker-cli-plugin-metadata') {
  const metadata = {
    SchemaVersion: '0.1.0',
    Vendor: 'sidekick',
    Version: VERSION,
    ShortDescription: 'Debug any container, distroless included, with a toolkit sidecar',
  };
  process.stdout.write(`${JSON.stringify(metadata)}\n`);
  process.exit(0);
}
const own = args[0] === 'sidekick' ? args.slice(1) : args;
process.argv.splice(2, Infinity, ...withDefaultEngine(own, 'docker://'));
void import('../cli.js');
