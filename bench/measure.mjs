// What every benchmark shares: timing one command, medians, and interleaved comparisons.
import { execFileSync } from 'node:child_process';

export const RUNS = Number(process.env.BENCH_RUNS ?? 15);

/** Wall time of one run of a command, in ms. */
export function timeIt(file, args, env = process.env) {
  const start = process.hrtime.bigint();
  execFileSync(file, args, { env, stdio: 'ignore' });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Runs subject and floor interleaved (a, b, a, b...) after one warm-up of each; prints medians and the ratio. */
export function compare(name, subject, floor, goal, runs = RUNS) {
  timeIt(...subject);
  timeIt(...floor);
  const a = [];
  const b = [];
  for (let i = 0; i < runs; i++) {
    a.push(timeIt(...subject));
    b.push(timeIt(...floor));
  }
  console.log(
    `${name.padEnd(44)} sidekick ${median(a).toFixed(0).padStart(5)} ms  floor ${median(b).toFixed(0).padStart(5)} ms  ratio ${(median(a) / median(b)).toFixed(2)}  (goal ${goal})`,
  );
}
