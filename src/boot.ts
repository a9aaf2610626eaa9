/**
 * What `sidekick` runs first: the CLI's bundle (dist/cli.js, one CommonJS file), compiled with V8's
 * code cache of an earlier run. Without it V8 scans the whole megabyte before the first line runs and
 * compiles every function the command calls; with it the functions a command used last time arrive
 * compiled. Node 22 has this built in (module.enableCompileCache); Node 20 does not.
 *
 * One cache file per command and engine (exec-docker, diagnose...), made after its first run with
 * this bundle on this Node and kept in a directory only this user may write: V8 checks a cache against
 * the source's length, not its content, so a cache someone else could write would be code they run.
 * Anything unusual (no home, a read-only disk, a cache V8 refuses) falls back to an ordinary require.
 * SIDEKICK_NO_CODE_CACHE=1 turns it off.
 */
import { mkdirSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

// This file is built as CommonJS into the bundle's folder (scripts/build.mjs): its own `require`
// resolves as the bundle's would, with no node:module (createRequire loads Node's ES module loader).
const bundle = fileURLToPath(new URL('./cli.js', import.meta.url));

// The bundle's source on the line after this one, so its line numbers (and source map) stay true.
const WRAPPER = '(function (exports, require, module, __filename, __dirname) {\n';

/**
 * A directory for the cache that only this user can write: in the user's cache directory, else (a
 * home that is read-only or absent, as in some CI containers) in the temporary one, or none.
 */
function cacheDir(): string | undefined {
  const uid = process.getuid?.();
  if (uid === undefined) return undefined;
  const candidates = [join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'sidekick', 'code-cache'), join(tmpdir(), `sidekick-${uid}`, 'code-cache')];
  for (const dir of candidates) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const st = statSync(dir);
      // made by someone else (a shared /tmp), or writable by others: not ours to trust
      if (st.uid === uid && (st.mode & 0o022) === 0) return dir;
    } catch {
      // try the next
    }
  }
  return undefined;
}

/**
 * The cache's key: the command's name and, where an address names it, the engine (their compiled
 * functions differ: a cache made by a Docker session lacks what a containerd one runs, ~20 ms).
 */
function cacheWord(): string {
  const words = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const command = words[0] && /^[a-z][a-z-]{0,19}$/.test(words[0]) ? words[0] : 'other';
  const address = words.slice(1).find((w) => w.includes('/'));
  const scheme = /^([a-z0-9]{1,12}):\/\//.exec(address ?? '')?.[1] ?? (address && /^[a-z]+\/[^/]/.test(address) ? 'k8s' : undefined);
  return scheme ? `${command}-${scheme}` : command;
}

/** The bundle compiled with its cache, ready to run; undefined where no cache can be used. */
function compileCached(): (() => void) | undefined {
  if (process.env.SIDEKICK_NO_CODE_CACHE === '1') return undefined;
  const dir = cacheDir();
  if (!dir) return undefined;
  const st = statSync(bundle);
  // this bundle on this Node: anything else is another cache
  const key = `${process.version}-${process.arch}-${st.size}-${Math.floor(st.mtimeMs)}`;
  const file = join(dir, `${key}-${cacheWord()}.bin`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(file);
  } catch {
    cachedData = undefined;
  }
  // latin1: the bundle is ASCII (scripts/build.mjs checks), and a one-byte string skips UTF-8's decoding
  const script = new Script(`${WRAPPER}${readFileSync(bundle, 'latin1')}\n})`, { filename: bundle, lineOffset: -1, cachedData });
  if (!cachedData || script.cachedDataRejected) {
    // after the command ran, so the cache holds what it compiled
    process.once('exit', () => saveCache(dir, key, file, script));
  }
  const wrapped = script.runInThisContext() as (...args: unknown[]) => void;
  const module = { exports: {}, filename: bundle, id: bundle, loaded: false };
  return () => wrapped.call(module.exports, module.exports, require, module, bundle, fileURLToPath(new URL('.', import.meta.url)));
}

function saveCache(dir: string, key: string, file: string, script: Script): void {
  try {
    const tmp = `${file}.${process.pid}`;
    writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
    renameSync(tmp, file);
    // caches of other bundles or Node versions are of no more use
    for (const name of readdirSync(dir)) if (!name.startsWith(key)) unlinkSync(join(dir, name));
  } catch {
    // a cache is an optimisation: never a reason to fail
  }
}

let run: (() => void) | undefined;
try {
  run = compileCached();
} catch {
  run = undefined;
}
// the CLI runs once, either way: its own errors are its own to report
if (run) run();
else require(bundle);
