// `npm run package`: dist/sidekick-linux-x64, a single executable application (Node's SEA) that needs
// no Node on the machine. All of sidekick goes into one CommonJS file (a SEA's main script can only
// require Node's built-ins, and cannot import() files), which Node turns into a blob with its V8 code
// cache; postject injects the blob into a copy of this Node binary.
//   node scripts/package.mjs [--out FILE]
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmod, copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { debugOnlyWhenAsked, lazyCommonJs, noGeneratedKubeApi, noWhatwgUrl, patchedDockerModem, rawText } from './esbuild-plugins.mjs';

/**
 * Optional modules that dependencies try in a try/catch (debug: supports-color; ws: bufferutil,
 * utf-8-validate; node-fetch: encoding). A SEA's require() warns on any module not built in, so
 * each is a module that is not found, as when it is not installed.
 */
const absentOptional = {
  name: 'absent-optional',
  setup(b) {
    b.onResolve({ filter: /^(supports-color|bufferutil|utf-8-validate|encoding)$/ }, (args) => ({ path: args.path, namespace: 'absent-optional' }));
    b.onLoad({ filter: /.*/, namespace: 'absent-optional' }, (args) => ({
      contents: `throw Object.assign(new Error(${JSON.stringify(`Cannot find module '${args.path}'`)}), { code: 'MODULE_NOT_FOUND' });`,
      loader: 'js',
    }));
  },
};

const { values } = parseArgs({ options: { out: { type: 'string', default: 'dist/sidekick-linux-x64' } } });
const out = path.resolve(values.out);
const work = path.join(path.dirname(out), `.sea-${process.pid}`);
const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
const started = Date.now();

await mkdir(work, { recursive: true });
try {
  const main = path.join(work, 'sidekick.cjs');
  await build({
    entryPoints: ['src/sea-main.ts'],
    outfile: main,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    minify: true,
    external: ['node-pty', 'cpu-features', '*.node'],
    // import.meta does not exist in CommonJS; src/self.ts only reads it outside a SEA.
    banner: { js: 'var __sk_meta_url = require("node:url").pathToFileURL(__filename).href;' },
    define: { __SIDEKICK_VERSION__: JSON.stringify(pkg.version), 'import.meta.url': '__sk_meta_url' },
    plugins: [rawText, lazyCommonJs, noGeneratedKubeApi, noWhatwgUrl, patchedDockerModem, debugOnlyWhenAsked, absentOptional],
    logLevel: 'warning',
  });
  const blob = path.join(work, 'sidekick.blob');
  const config = path.join(work, 'sea-config.json');
  await writeFile(config, JSON.stringify({ main, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true }));
  execFileSync(process.execPath, ['--experimental-sea-config', config], { stdio: ['ignore', 'ignore', 'inherit'] });

  await rm(out, { force: true });
  await copyFile(process.execPath, out);
  await chmod(out, 0o755);
  const { inject } = createRequire(import.meta.url)('postject');
  await inject(out, 'NODE_SEA_BLOB', await readFile(blob), { sentinelFuse: 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2' });
  console.log(`${path.relative(process.cwd(), out)}: ${((await readFile(out)).length / 1e6).toFixed(1)} MB, built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} finally {
  await rm(work, { recursive: true, force: true });
}
