// What every benchmark shares: timing one command, medians, interleaved comparisons, the peers
// (cdebug) built from their source archives, and peak memory.
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const RUNS = Number(process.env.BENCH_RUNS ?? 15);
export const CLI = fileURLToPath(new URL('../bin/sidekick.js', import.meta.url));

/** Wall time of one run of a command, in ms. */
export function timeIt(file, args, env = process.env) {
  const start = process.hrtime.bigint();
  execFileSync(file, args, { env, stdio: 'ignore' });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Runs every side in turn (a, b, c, then b, c, a...: the order rotates so none always goes first)
 * after one warm-up of each, `runs` rounds; `pause` runs before each timed run. Medians in ms by label.
 * sides: { label: [file, args, env?] }
 */
export function interleave(sides, { runs = RUNS, pause = () => {} } = {}) {
  const labels = Object.keys(sides);
  const times = Object.fromEntries(labels.map((l) => [l, []]));
  // A run that fails (a peer's ephemeral container that did not come up, say) is counted and said,
  // not timed: one flaky run must not end the whole bench.
  const timed = (l) => {
    try {
      return timeIt(...sides[l]);
    } catch (e) {
      console.log(`${l}: a run failed (${String(e.message ?? e).split('\n')[0]}); left out of its median`);
      return undefined;
    }
  };
  for (const l of labels) timed(l);
  for (let i = 0; i < runs; i++) {
    for (let j = 0; j < labels.length; j++) {
      const l = labels[(i + j) % labels.length];
      pause();
      const t = timed(l);
      if (t !== undefined) times[l].push(t);
    }
  }
  return Object.fromEntries(labels.map((l) => [l, times[l].length ? median(times[l]) : NaN]));
}

const ms = (x) => `${x.toFixed(0).padStart(5)} ms`;

/** `node -e 0`, a side to time with the others: what sidekick adds beyond Node's own start-up. */
export const NODE = [process.execPath, ['-e', '0']];

/**
 * One line: each side's median, then sidekick's ratio to the floor and to cdebug (where they ran),
 * and, with a `node` side, sidekick's time beyond Node's start-up against the floor.
 * goals: { floor: '<= 1.5', cdebug: '<= 1.5' }
 */
export function report(name, medians, goals = {}) {
  const sides = Object.entries(medians).map(([label, t]) => `${label} ${ms(t)}`).join('  ');
  const ratios = ['floor', 'cdebug']
    .filter((peer) => medians[peer] !== undefined)
    .map((peer) => `/${peer} ${(medians.sidekick / medians[peer]).toFixed(2)}${goals[peer] ? ` (goal ${goals[peer]})` : ''}`)
    .join('  ');
  // what sidekick adds beyond Node's own start-up, against the floor
  const beyond = medians.node !== undefined && medians.floor !== undefined ? `  beyond-node/floor ${((medians.sidekick - medians.node) / medians.floor).toFixed(2)} (goal <= 1.15)` : '';
  console.log(`${name.padEnd(44)} ${sides}  ${ratios}${beyond}`);
}

/**
 * NODE_EXTRA_CA_CERTS, which the test VMs set for every process, makes Node 20 parse its whole root
 * store and that file at every start (~40 ms here: `node -e 0` 100 against 60 ms), a cost no Go CLI
 * pays and sidekick itself never needs on a local engine. Where it is set, comparisons run a second
 * time with Node's sides started without it.
 */
const EXTRA_CA = process.env.NODE_EXTRA_CA_CERTS;

/** A side ([file, args, env?]) started without NODE_EXTRA_CA_CERTS when it is Node. */
function withoutExtraCa([file, args, env]) {
  if (file !== process.execPath) return env ? [file, args, env] : [file, args];
  const { NODE_EXTRA_CA_CERTS: _, ...rest } = env ?? process.env;
  return [file, args, rest];
}

/** Interleaves and reports the sides, then again without the extra CA where it is set; the first medians. */
export function reportSides(name, sides, goals, runs = RUNS) {
  const medians = interleave(sides, { runs });
  report(name, medians, goals);
  if (EXTRA_CA) {
    const plain = Object.fromEntries(Object.entries(sides).map(([label, side]) => [label, withoutExtraCa(side)]));
    report(`${name}, no NODE_EXTRA_CA_CERTS`, interleave(plain, { runs }), goals);
  }
  return medians;
}

/** sidekick against the engine's floor (and `node -e 0`), interleaved; prints medians and ratios. */
export function compare(name, subject, floor, goal, runs = RUNS, withNode = true) {
  return reportSides(name, { floor, sidekick: subject, ...(withNode && { node: NODE }) }, { floor: goal }, runs);
}

/**
 * cdebug, built once from its source archive beside the clone (scripts/third-party.sh) and cached
 * outside the clone by version; undefined, with the reason printed, where it cannot be built.
 */
export function cdebug() {
  const script = fileURLToPath(new URL('../scripts/third-party.sh', import.meta.url));
  try {
    return execFileSync('bash', [script, 'cdebug-fdfdf9a.tar.gz', '.', 'cdebug-fdfdf9a/cdebug'], { stdio: ['ignore', 'pipe', 'inherit'] }).toString().trim();
  } catch {
    console.log('cdebug: not available here (see above), so no cdebug column; the rest follows');
    return undefined;
  }
}

/** Peak resident memory of one run of a command, in MB (GNU time's maximum RSS of the process). */
export function peakRssMb(file, args, env = process.env) {
  const r = spawnSync('/usr/bin/time', ['-f', '%M', file, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} exited with ${r.status}: ${r.stderr}`);
  return Number(r.stderr.toString().trim().split('\n').pop()) / 1024; // the command's own stderr comes first
}
