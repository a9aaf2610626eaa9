// Bundles the CLI with code splitting, so each command loads only its own engine client when it runs.
import { build } from 'esbuild';
import { readFile, rm } from 'node:fs/promises';
import { lazyCommonJs, noGeneratedKubeApi, rawText } from './esbuild-plugins.mjs';

const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));

await rm('dist', { recursive: true, force: true });
const result = await build({
  entryPoints: {
    cli: 'src/cli.ts',
    reaper: 'src/session/reaper.ts',
    'netns-helper': 'src/port-forward/netns-helper.ts',
    'kubectl-sidekick': 'src/plugins/kubectl-sidekick.ts',
    'docker-sidekick': 'src/plugins/docker-sidekick.ts',
  },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  minify: true,
  // node-pty is a test tool; ssh2's native parts are optional and loaded lazily by its own code.
  external: ['node-pty', 'cpu-features', '*.node'],
  // dockerode and its friends are CommonJS: give the ESM bundle a require.
  banner: {
    js: [
      "import { createRequire as __sk_createRequire } from 'node:module';",
      'const require = __sk_createRequire(import.meta.url);',
      "import { fileURLToPath as __sk_fileURLToPath } from 'node:url';",
      "const __sk_filename = __sk_fileURLToPath(import.meta.url);",
      "const __sk_dirname = __sk_fileURLToPath(new URL('.', import.meta.url));",
    ].join('\n'),
  },
  // CommonJS code's free __dirname/__filename point at the chunk (declared ones are left alone).
  define: { __SIDEKICK_VERSION__: JSON.stringify(pkg.version), __dirname: '__sk_dirname', __filename: '__sk_filename' },
  plugins: [rawText, lazyCommonJs, noGeneratedKubeApi],
  logLevel: 'warning',
  metafile: true,
});
if (process.env.BUILD_ANALYZE) { const { analyzeMetafile } = await import('esbuild'); console.log(await analyzeMetafile(result.metafile)); }
