// esbuild plugins both bundles use: the npm package's (scripts/build.mjs) and the single executable's (scripts/package.mjs).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

/** `import text from './file?raw'` inlines the file as a string (as Vite does in tests). */
export const rawText = {
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
 * Parts of dockerode and docker-modem sidekick never calls, loaded at import time all the same:
 * BuildKit sessions and progress (gRPC, protobufjs: ~330 KB), ssh:// hosts (ssh2), the build
 * context's tar and .dockerignore handling (tar-fs and its streams), and Node's https (with tls and
 * crypto) and zlib, which a local socket never needs. Each is replaced by a stand-in
 * that requires the real module from node_modules on first use, so the Docker client's chunk is
 * compiled and run without them at every start.
 */
const LAZY = [
  // [the request, the folder asking for it, what the module exports]
  ['./session', /[\\/]dockerode[\\/]lib$/, 'function'],
  ['./buildkit', /[\\/]dockerode[\\/]lib$/, 'object'],
  ['tar-fs', /[\\/]dockerode[\\/]lib$/, 'object'],
  ['@balena/dockerignore', /[\\/]dockerode[\\/]lib$/, 'function'],
  ['./ssh', /[\\/]docker-modem[\\/]lib$/, 'function'],
  // Node's own modules for https:// engines (TLS, and crypto under it) and for gzipped build contexts
  ['https', /[\\/]docker-modem[\\/]lib$/, 'object'],
  ['zlib', /[\\/]dockerode[\\/]lib$/, 'object'],
];
const STAND_IN = {
  function: (mod) => `module.exports = function () { return require(${mod}).apply(this, arguments); };`,
  object: (mod) => `module.exports = new Proxy({}, { get: (_, key) => require(${mod})[key] });`,
};
export const lazyCommonJs = {
  name: 'lazy-commonjs',
  setup(b) {
    b.onResolve({ filter: /^(\.\/(session|buildkit|ssh)|tar-fs|@balena\/dockerignore|https|zlib)$/ }, (args) => {
      const lazy = LAZY.find(([request, dir]) => request === args.path && dir.test(args.resolveDir));
      if (!lazy) return undefined;
      // the real module, as node_modules holds it, stays out of the bundle
      const real = args.path.startsWith('./') ? `${args.resolveDir.replace(/.*[\\/]node_modules[\\/]/, '').replaceAll('\\', '/')}/${args.path.slice(2)}.js` : args.path;
      return { path: real, namespace: 'lazy-commonjs', pluginData: lazy[2] };
    });
    b.onResolve({ filter: /.*/, namespace: 'lazy-commonjs' }, (args) => ({ path: args.path, external: true }));
    b.onLoad({ filter: /.*/, namespace: 'lazy-commonjs' }, (args) => ({
      contents: `// lazy stand-in, see scripts/esbuild-plugins.mjs\n${STAND_IN[args.pluginData](JSON.stringify(args.path))}`,
      loader: 'js',
    }));
    // docker-modem's one stream class needs no copy of Node's streams of its own (readable-stream)
    b.onResolve({ filter: /^readable-stream$/ }, (args) =>
      /[\\/]docker-modem[\\/]lib$/.test(args.resolveDir) ? { path: 'node:stream', external: true } : undefined,
    );
  },
};

/**
 * sidekick talks to Kubernetes with its own small REST calls (src/runtimes/kubernetes/rest.ts) and
 * uses client-node's KubeConfig only for credentials. That module imports the generated API just for
 * makeApiClient, which sidekick never calls: a stub stands in, saving ~1.4 MB at every start.
 */
export const noGeneratedKubeApi = {
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

/**
 * node-fetch 2 (under client-node) takes Node's own URL and falls back to the whatwg-url package only
 * on Nodes without one: that package and tr46's Unicode table under it were ~290 KB of the bundle
 * (26% of it), read and decoded at every start of every command. An empty module stands in.
 */
export const noWhatwgUrl = {
  name: 'no-whatwg-url',
  setup(b) {
    b.onResolve({ filter: /^whatwg-url$/ }, (args) =>
      /[\\/]node-fetch[\\/]lib$/.test(args.resolveDir) ? { path: 'whatwg-url-stub', namespace: 'no-whatwg-url' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'no-whatwg-url' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
  },
};

/**
 * Two costs of docker-modem's that sidekick pays at every Docker exec, taken out where the bundle is
 * made (each replacement must find its text: a docker-modem that changed fails the build):
 * - it formats every request's options (util.inspect, showHidden, no depth limit) for a debug log
 *   that is off: ~10 ms of CPU per exec (--cpu-prof), most of it util.inspect's first use. They are
 *   formatted only when DEBUG=modem turns that log on.
 * - demuxStream copies what is left of its buffer after every frame header and every frame, so a
 *   64 KB socket read of 4 KB frames is copied ~32 times over: 50 MB of output made ~800 MB of
 *   short-lived buffers in malloc's heap, and the CLI peaked at ~88 MB. The frames are views of the
 *   read instead (nothing writes into a read once it has arrived), and a read is copied only to join
 *   a frame split across two.
 */
const DOCKER_MODEM_PATCHES = [
  ["debug('Sending: %s', util.inspect(", "debug.enabled && debug('Sending: %s', util.inspect("],
  ['      buffer = Buffer.concat([buffer, data]);', '      buffer = buffer.length ? Buffer.concat([buffer, data]) : data;'],
  ['    buffer = Buffer.from(buffer.subarray(end, buffer.length));', '    buffer = buffer.subarray(end);'],
];

export const patchedDockerModem = {
  name: 'patched-docker-modem',
  setup(b) {
    b.onLoad({ filter: /[\\/]docker-modem[\\/]lib[\\/]modem\.js$/ }, async (args) => {
      let source = await readFile(args.path, 'utf8');
      for (const [from, to] of DOCKER_MODEM_PATCHES) {
        if (source.split(from).length !== 2) throw new Error(`${args.path}: "${from.trim()}" is not where scripts/esbuild-plugins.mjs expects it, once`);
        source = source.replace(from, to);
      }
      return { contents: source, loader: 'js' };
    });
  },
};

/**
 * The `debug` package (docker-modem's log, and socks-proxy-agent's) probes the terminal and colours
 * when it loads, and looks for the optional supports-color package on disk at every start: a dozen
 * failed lookups and a thrown MODULE_NOT_FOUND per Docker exec. Unless DEBUG asks for a log, a
 * stand-in whose loggers are off takes its place; with DEBUG set the real module runs.
 */
export const debugOnlyWhenAsked = {
  name: 'debug-only-when-asked',
  setup(b) {
    b.onResolve({ filter: /^debug$/ }, (args) => {
      if (args.namespace === 'debug-only-when-asked') return undefined;
      const real = createRequire(path.join(args.resolveDir, 'index.js')).resolve('debug');
      return { path: real, namespace: 'debug-only-when-asked' };
    });
    b.onLoad({ filter: /.*/, namespace: 'debug-only-when-asked' }, (args) => ({
      contents: [
        'if (process.env.DEBUG) module.exports = require(' + JSON.stringify(args.path) + ');',
        'else {',
        '  const off = () => { const log = () => undefined; log.enabled = false; log.extend = () => log; log.destroy = () => undefined; return log; };',
        '  off.default = off;',
        '  off.enabled = () => false;',
        '  module.exports = off;',
        '}',
      ].join('\n'),
      loader: 'js',
      resolveDir: path.dirname(args.path),
    }));
  },
};
