/**
 * Backpressure, both ways: a large output into a slow local reader (`exec`, and `attach` on the local
 * engines), and a large input from a fast local writer into a command that does not read yet. Every byte arrives, and the CLI's peak memory
 * stays bounded: the engine and the process behind it wait, instead of the CLI holding the difference
 * (before, it held it all: ~700 MB of RSS for 500 MB of output, and output left in its buffers when
 * the debugger exited was cut off at exit).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, sidekick } from '../helpers/cli.js';
import type { StartedTarget } from '../helpers/engines.js';
import { forScenario, itIf } from './engines.js';

const MB = 1_000_000;
// a generous bound: `exec -- true` peaks at ~55 MB, and 50 MB of output into /dev/null at ~90 MB
const PEAK_MB = 150;
// how long the slow reader (or the command that does not read) holds back: no timing is asserted
const STALL_MS = 3000;

describe.each(forScenario('backpressure'))('backpressure on $name', (engine) => {
  let target: StartedTarget;

  beforeAll(async () => {
    await engine.ready();
    target = await engine.startTarget();
  });

  afterAll(async () => {
    if (target) await engine.remove(target);
  });

  const cli = (args: string[], stdin: 'pipe' | 'ignore') => spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...engine.env }, stdio: [stdin, 'pipe', 'pipe'] });
  const start = (args: string[], stdin: 'pipe' | 'ignore') => cli(['exec', '-q', ...args], stdin);

  it('delivers 150 MB of stdout and 50 MB of stderr to a slow reader, every byte, with a bounded peak RSS', async () => {
    const child = start([target.address, '--', 'sh', '-c', `head -c ${150 * MB} /dev/zero; head -c ${50 * MB} /dev/zero >&2`], 'ignore');
    const peak = watchPeak(child);
    // nothing read at first, then again nothing for a while halfway through stdout
    const [stdout, stderr, code] = await Promise.all([countSlowly(child.stdout!, [0, 75 * MB]), countSlowly(child.stderr!, [0]), exitOf(child)]);
    const peakMb = peak();
    expect({ stdout, stderr, code }).toEqual({ stdout: 150 * MB, stderr: 50 * MB, code: 0 });
    expect(peakMb).toBeGreaterThan(0);
    expect(peakMb).toBeLessThan(PEAK_MB);
  }, 300_000);

  it('waits for a reader that comes after the debugger exited, for all of its output', async () => {
    const child = start([target.address, '--', 'head', '-c', String(300_000), '/dev/zero'], 'ignore');
    const [stdout, , code] = await Promise.all([countSlowly(child.stdout!, [0]), text(child.stderr!), exitOf(child)]);
    expect({ stdout, code }).toEqual({ stdout: 300_000, code: 0 });
  }, 120_000);

  // containerd 1.6's ctr lost the last ~110 KB of this, every time: it closed the task's output before draining it
  it('gives a reader slower than the command every byte, to the last', async () => {
    const child = start([target.address, '--', 'head', '-c', String(MB), '/dev/zero'], 'ignore');
    const [stdout, , code] = await Promise.all([countAtRate(child.stdout!, 4 * MB), text(child.stderr!), exitOf(child)]);
    expect({ stdout, code }).toEqual({ stdout: MB, code: 0 });
  }, 120_000);

  it('passes 200 MB of stdin to a command that starts reading late, every byte, with a bounded peak RSS', async () => {
    const child = start(['-i', target.address, '--', 'sh', '-c', `sleep ${STALL_MS / 1000}; wc -c`], 'pipe');
    const peak = watchPeak(child);
    const [, stdout, , code] = await Promise.all([writeZeros(child.stdin!, 200 * MB), text(child.stdout!), text(child.stderr!), exitOf(child)]);
    const peakMb = peak();
    expect({ count: stdout.trim(), code }).toEqual({ count: String(200 * MB), code: 0 });
    expect(peakMb).toBeGreaterThan(0);
    expect(peakMb).toBeLessThan(PEAK_MB);
  }, 300_000);

  // Kubernetes' attach goes through the same channels as its exec (above); test/k8s/attach.test.ts has its attach scenarios
  itIf(engine, 'localEngine')('attach: 100 MB of output into a slow reader, every byte, with a bounded peak RSS', async () => {
    // the output starts once the attach has sent a line, so none of it goes by before
    const started = await sidekick(['exec', '-d', '-i', '-q', target.address, '--', 'sh', '-c', `read go; head -c ${100 * MB} /dev/zero`], { env: engine.env });
    expect(started.exitCode, started.stderr).toBe(0);
    const child = cli(['attach', '-q', started.stdout.trim()], 'pipe');
    child.stdin!.on('error', () => undefined);
    child.stdin!.write('go\n');
    const peak = watchPeak(child);
    const [stdout, , code] = await Promise.all([countSlowly(child.stdout!, [0, 50 * MB]), text(child.stderr!), exitOf(child)]);
    const peakMb = peak();
    child.stdin!.destroy();
    expect({ stdout, code }).toEqual({ stdout: 100 * MB, code: 0 });
    expect(peakMb).toBeGreaterThan(0);
    expect(peakMb).toBeLessThan(PEAK_MB);
  }, 300_000);
});

/**
 * Samples the CLI's peak resident memory (VmHWM, which only grows) while it runs; the returned
 * function stops and gives the peak in MB. Only its very last moments can go unseen.
 */
function watchPeak(child: ChildProcess): () => number {
  let peak = 0;
  const sample = () => {
    try {
      const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
      if (kb) peak = Math.max(peak, Number(kb) / 1024);
    } catch {
      // it has exited
    }
  };
  const timer = setInterval(sample, 50);
  return () => {
    clearInterval(timer);
    sample();
    return peak;
  };
}

/** Counts a stream's bytes, reading nothing for STALL_MS at each of the given counts. */
async function countSlowly(stream: Readable, stallsAt: number[]): Promise<number> {
  const stalls = [...stallsAt];
  let count = 0;
  // Node resumes a child's unread output when the child exits, which would throw away what a CLI
  // that already exited left in the pipe (a shell's `| (sleep 3; wc -c)` gets it): a 'readable'
  // listener that reads nothing keeps it where it is.
  stream.on('readable', () => undefined);
  if (stalls[0] === 0) {
    stalls.shift();
    await sleep(STALL_MS);
  }
  for await (const chunk of stream) {
    count += (chunk as Buffer).length;
    if (stalls.length && count >= stalls[0]!) {
      stalls.shift();
      await sleep(STALL_MS);
    }
  }
  return count;
}

/** Counts a stream's bytes, taking them no faster than bytesPerSecond. */
async function countAtRate(stream: Readable, bytesPerSecond: number): Promise<number> {
  let count = 0;
  for await (const chunk of stream) {
    count += (chunk as Buffer).length;
    await sleep(((chunk as Buffer).length / bytesPerSecond) * 1000);
  }
  return count;
}

/** Writes this many zero bytes as fast as the pipe takes them, then ends the stream. */
async function writeZeros(stream: Writable, total: number): Promise<void> {
  const chunk = Buffer.alloc(MB);
  stream.on('error', () => undefined); // a CLI that failed early: its exit code tells
  for (let sent = 0; sent < total; sent += chunk.length) {
    if (!stream.write(chunk)) await drainedOrClosed(stream);
    if (stream.destroyed) return;
  }
  stream.end();
}

/** The stream took what it held, or went away; the listener that did not fire goes too (one per wait would pile up). */
function drainedOrClosed(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

async function text(stream: Readable): Promise<string> {
  let all = '';
  for await (const chunk of stream) all += String(chunk);
  return all;
}

function exitOf(child: ChildProcess): Promise<number | string> {
  return new Promise((resolve) => child.once('close', (code, signal) => resolve(code ?? String(signal))));
}
