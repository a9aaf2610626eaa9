// Bundles the CLI with code splitting, so each command loads only its own engine client when it runs.
import { build } from 'esbuild';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';

const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));

/** `import text from './file?raw'` inlines the file as a string (as Vite does in tests). */
const rawText = {
  name: 'raw-text',
  setup(b) {
    b.onResolve({ filter: /\?raw$/ }, (args) => ({
      path: path.resolve(args.resolveDir, args.path.slice(0, -'?raw'.length)),
      namespace: 'raw-text',
    }));
    b.onLoad({ filter: /.*/, namespace: 'raw-text' }, async (args) => ({
      contents: await readFile(args.path, 'utf8'),
      loader: 'text',
    }));
  },
};

/**
 * dockerode loads gRPC/protobuf (BuildKit sessions) and docker-modem loads ssh2 (ssh:// hosts) at
 * import time: 1.6 MB of code sidekick rarely needs. Both modules export one function, so they are
 * replaced by a function that requires the real module from node_modules on first call.
 */
const LAZY = { 'dockerode/lib/session.js': /[\\/]dockerode[\\/]lib$/, 'docker-modem/lib/ssh.js': /[\\/]docker-modem[\\/]lib$/ };
const lazyCommonJs = {
  name: 'lazy-commonjs',
  setup(b) {
    b.onResolve({ filter: /^\.\/(session|ssh)$/ }, (args) => {
      const real = Object.entries(LAZY).find(([mod, dir]) => dir.test(args.resolveDir) && mod.endsWith(`${args.path.slice(2)}.js`));
      return real ? { path: real[0], namespace: 'lazy-commonjs' } : undefined;
    });
    // the real module stays out of the bundle: required from node_modules when first called
    b.onResolve({ filter: /.*/, namespace: 'lazy-commonjs' }, (args) => ({ path: args.path, external: true }));
    b.onLoad({ filter: /.*/, namespace: 'lazy-commonjs' }, (args) => ({
      contents: `module.exports = function () { return require(${JSON.stringify(args.path)}).apply(this, arguments); };`,
      loader: 'js',
    }));
  },
};

/**
 * sidekick talks to Kubernetes with its own small REST calls (src/runtimes/kubernetes/rest.ts) and
 * uses client-node's KubeConfig only for credentials. That module imports the generated API just for
 * makeApiClient, which sidekick never calls: a stub stands in, saving ~1.4 MB at every start.
 */
const noGeneratedKubeApi = {
  name: 'no-generated-kube-api',
  setup(b) {
    b.onResolve({ filter: /^\.\/gen\/index\.js$/ }, (args) =>
      /[\\/]@kubernetes[\\/]client-node[\\/]dist$/.test(args.resolveDir) && args.importer.endsWith('config.js')
        ? { path: 'kube-gen-stub', namespace: 'no-generated-kube-api' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'no-generated-kube-api' }, () => ({
      contents: [
        "const unused = () => { throw new Error('the generated Kubernetes API is not bundled (see scripts/build.mjs)'); };",
        'export const createConfiguration = unused;',
        'export class ServerConfiguration { constructor() { unused(); } }',
      ].join('\n'),
      loader: 'js',
    }));
  },
};

await rm('dist', { recursive: true, force: true });
const result = await build({
  entryPoints: { cli: 'src/cli.ts', reaper: 'src/session/reaper.ts', 'netns-helper': 'src/port-forward/netns-helper.ts' },
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
