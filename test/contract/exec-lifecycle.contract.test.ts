/**
 * A debugger never outlives its session: normal exit, SIGINT/SIGTERM of the CLI, a SIGKILLed CLI,
 * and a target that dies mid-session all leave no labelled container behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sidekickProcess } from '../helpers/cli.js';
import { eventually, type StartedTarget } from '../helpers/engines.js';
import { ENGINES } from './engines.js';

describe.each(ENGINES)('session lifecycle on $name', (engine) => {
  let target: StartedTarget;
  const started: StartedTarget[] = [];

  beforeAll(async () => {
    await engine.ready();
    target = await engine.startTarget();
    started.push(target);
  });

  afterAll(async () => {
    await Promise.all(started.map((t) => engine.remove(t)));
  });

  const debuggerRuns = () => eventually(async () => (await engine.runningDebuggers()).length > 0, 20_000);
  const noDebuggerLeft = () => eventually(async () => (await engine.debuggers()).length === 0, 20_000);

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('%s of the CLI removes the debugger and exits %i', async (signal, code) => {
    const cli = sidekickProcess(['exec', '-q', target.address, '--', 'sleep', '60'], { env: engine.env });
    expect(await debuggerRuns()).toBe(true);
    cli.kill(signal);
    const result = await cli;
    expect(result.signal).toBeUndefined();
    expect(result.exitCode).toBe(code);
    expect(await engine.debuggers()).toEqual([]);
  });

  it('a SIGKILLed CLI leaves nothing behind once it is gone', async () => {
    const cli = sidekickProcess(['exec', '-q', target.address, '--', 'sleep', '60'], { env: engine.env });
    expect(await debuggerRuns()).toBe(true);
    cli.kill('SIGKILL');
    await cli;
    expect(await noDebuggerLeft()).toBe(true);
  });

  it('ends with a clear message and exit code 123 when the target dies', async () => {
    const doomed = await engine.startTarget();
    started.push(doomed);
    const cli = sidekickProcess(['exec', doomed.address, '--', 'sleep', '60'], { env: engine.env });
    expect(await debuggerRuns()).toBe(true);
    await engine.kill(doomed);
    const result = await cli;
    expect(result.exitCode).toBe(123);
    expect(String(result.stderr)).toMatch(/stopped during the session/);
    expect(await engine.debuggers()).toEqual([]);
  });
});
