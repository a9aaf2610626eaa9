// Bundles each entry into one CommonJS file in dist/: the CLI's whole code in dist/cli.js (its commands and
// engine clients initialised only when they run), which dist/boot.js loads with V8's code cache
// (src/boot.ts). Many ES module chunks cost ~0.7 ms each to resolve, link and evaluate (27 of them
// for a Docker exec), and an ES module cannot take a code cache on Node 20.
import { build } from 'esbuild';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { debugOnlyWhenAsked, lazyCommonJs, noGeneratedKubeApi, noWhatwgUrl, patchedDockerModem, rawText } from './esbuild-plugins.mjs';

const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));

/** The plugins' entries start the CLI through the loader, not with a second copy of it. */
const cliThroughBoot = {
  name: 'cli-through-boot',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/cli\.js$/ }, (args) => (/[\\/]src[\\/]plugins$/.test(args.resolveDir) ? { path: './boot.js', external: true } : undefined));
  },
};

await rm('dist', { recursive: true, force: true });
const result = await build({
  entryPoints: {
    cli: 'src/cli.ts',
    boot: 'src/boot.ts',
    reaper: 'src/session/reaper.ts',
    'netns-helper': 'src/port-forward/netns-helper.ts',
    'kubectl-sidekick': 'src/plugins/kubectl-sidekick.ts',
    'docker-sidekick': 'src/plugins/docker-sidekick.ts',
  },
  outdir: 'dist',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // import() of a bundled module becomes a lazy initialisation inside the file, of another file a require
  supported: { 'dynamic-import': false },
  sourcemap: 'linked',
  minify: true,
  // node-pty is a test tool; ssh2's native parts are optional and loaded lazily by its own code.
  external: ['node-pty', 'cpu-features', '*.node'],
  // import.meta does not exist in CommonJS: sidekick reads only its url, to find its own files
  banner: { js: 'var __sk_meta_url = require("node:url").pathToFileURL(__filename).href;' },
  define: { __SIDEKICK_VERSION__: JSON.stringify(pkg.version), 'import.meta.url': '__sk_meta_url' },
  plugins: [rawText, lazyCommonJs, noGeneratedKubeApi, noWhatwgUrl, patchedDockerModem, debugOnlyWhenAsked, cliThroughBoot],
  logLevel: 'warning',
  metafile: true,
});
// src/boot.ts reads the bundle as latin1 (no UTF-8 decoding): esbuild escapes non-ASCII text, and this says if it ever did not
const nonAscii = /[^\x00-\x7f]/.exec(await readFile('dist/cli.js', 'latin1'));
if (nonAscii) throw new Error(`dist/cli.js is not ASCII (at ${nonAscii.index}): src/boot.ts reads it as latin1`);
// the package is "type": "module"; these files are CommonJS
await writeFile('dist/package.json', '{ "type": "commonjs" }\n');
if (process.env.BUILD_ANALYZE) { const { analyzeMetafile } = await import('esbuild'); console.log(await analyzeMetafile(result.metafile)); }
