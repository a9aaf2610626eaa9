// `npm run bench`: sidekick against the engine's own floor, runs interleaved, medians and ratios.
// Not a test: it prints figures and never fails on them.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../bin/sidekick.js', import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const TARGET = 'sidekick-bench-target';

function timeIt(file, args) {
  const start = process.hrtime.bigint();
  execFileSync(file, args, { stdio: 'ignore' });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

/** Runs each pair interleaved (a, b, a, b...) after one warm-up of each. */
function compare(name, subject, floor, goal) {
  timeIt(...subject);
  timeIt(...floor);
  const a = [];
  const b = [];
  for (let i = 0; i < RUNS; i++) {
    a.push(timeIt(...subject));
    b.push(timeIt(...floor));
  }
  const ratio = median(a) / median(b);
  console.log(
    `${name.padEnd(44)} sidekick ${median(a).toFixed(0).padStart(5)} ms  floor ${median(b).toFixed(0).padStart(5)} ms  ratio ${ratio.toFixed(2)}  (goal ${goal})`,
  );
}

execFileSync('docker', ['rm', '-f', TARGET], { stdio: 'ignore' });
execFileSync('docker', ['run', '-d', '--name', TARGET, 'sidekick-fixture/target:latest'], { stdio: 'ignore' });
try {
  console.log(`${RUNS} interleaved runs each, medians`);
  compare('startup: sidekick --version vs node -e 0', [process.execPath, [CLI, '--version']], [process.execPath, ['-e', '0']], '<= 1.5');
  compare(
    'docker: exec T -- true vs docker run --pid=container:T',
    [process.execPath, [CLI, 'exec', '-q', `docker://${TARGET}`, '--', 'true']],
    ['docker', ['run', '--rm', `--pid=container:${TARGET}`, `--network=container:${TARGET}`, 'busybox:musl', 'true']],
    '<= 1.15',
  );
  const diag = [];
  for (let i = 0; i < RUNS; i++) diag.push(timeIt(process.execPath, [CLI, 'diagnose', `docker://${TARGET}`, '--json']));
  console.log(`${'docker: diagnose T --json wall time'.padEnd(44)} median ${median(diag).toFixed(0).padStart(5)} ms  (goal < 2000 ms)`);
} finally {
  execFileSync('docker', ['rm', '-f', TARGET], { stdio: 'ignore' });
}
