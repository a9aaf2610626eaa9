/**
 * Runs a debugger to completion without a terminal and captures its output (diagnose's way of
 * running its collector). The debugger is removed through the Cleanup, whatever happens.
 */
import type { Debugger } from '../runtimes/runtime.js';
import { UserError } from '../errors.js';

export interface Captured {
  exitCode: number;
  stdout: string;
  stderr: string;
}

function collect(stream: NodeJS.ReadableStream | undefined): Promise<string> {
  if (!stream) return Promise.resolve('');
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.on('error', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

export async function captureRun(dbg: Debugger, timeoutMs: number): Promise<Captured> {
  const { streams, exited } = await dbg.launch();
  const stdout = collect(streams.stdout);
  const stderr = collect(streams.stderr);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new UserError(`the diagnosis took longer than ${timeoutMs / 1000}s`, { hint: 'raise --timeout, or check that the engine is responsive' })),
      timeoutMs,
    );
  });
  try {
    const exitCode = await Promise.race([exited, timeout]);
    await Promise.race([streams.ended, new Promise((r) => setTimeout(r, 2000).unref())]);
    return { exitCode, stdout: await stdout, stderr: await stderr };
  } finally {
    clearTimeout(timer);
  }
}
