/** Runs the built CLI as a user would, capturing its output and exit code. */
import { execa, type ResultPromise } from 'execa';
import { expect } from 'vitest';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../bin/sidekick.js', import.meta.url));

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  input?: string;
  env?: Record<string, string | undefined>;
  timeout?: number;
  /** run the CLI as this uid/gid instead of root */
  asUser?: number;
}

export async function sidekick(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  // setpriv (util-linux) drops to an unprivileged user for permission tests
  const [file, argv] =
    opts.asUser === undefined
      ? [process.execPath, [CLI, ...args]]
      : ['setpriv', [`--reuid=${opts.asUser}`, `--regid=${opts.asUser}`, '--clear-groups', process.execPath, CLI, ...args]];
  const result = await execa(file, argv, {
    reject: false,
    stripFinalNewline: false,
    input: opts.input,
    stdin: opts.input === undefined ? 'ignore' : undefined,
    env: opts.env,
    timeout: opts.timeout ?? 60_000,
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** Starts the CLI without waiting for it, for signal tests. */
export function sidekickProcess(args: string[], opts: CliOptions = {}): ResultPromise {
  return execa(process.execPath, [CLI, ...args], { reject: false, stdin: 'ignore', env: opts.env, timeout: opts.timeout ?? 60_000 });
}

/** A one-line, actionable failure: non-zero exit, one line on stderr, no stack trace. */
export function expectOneLineError(result: CliResult, pattern: RegExp): void {
  expect(result.exitCode).not.toBe(0);
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^sidekick: /);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}
