/**
 * A debugger never outlives its session: normal exit, SIGINT/SIGTERM of the CLI, a SIGKILLed CLI,
 * and a target that dies mid-session all leave no labelled container behind. On Kubernetes (whose
 * ephemeral containers stay in the pod, ended: test/k8s covers the signals there) a pod that goes away
 * mid-session ends it the same way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sidekickProcess } from '../helpers/cli.js';
import { eventually, type StartedTarget } from '../helpers/engines.js';
import { forScenario, itIf } from './engines.js';

describe.each(forScenario('lifecycle'))('session lifecycle on $name', (engine) => {
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

  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    itIf(engine, 'removableDebuggers')(`${signal} of the CLI removes the debugger and exits ${code}`, async () => {
      const cli = sidekickProcess(['exec', '-q', target.address, '--', 'sleep', '60'], { env: engine.env });
      expect(await debuggerRuns()).toBe(true);
      cli.kill(signal);
      const result = await cli;
      expect(result.signal).toBeUndefined();
      expect(result.exitCode).toBe(code);
      expect(await engine.debuggers()).toEqual([]);
    });
  }

  itIf(engine, 'removableDebuggers')('a SIGKILLed CLI leaves nothing behind once it is gone', async () => {
    const cli = sidekickProcess(['exec', '-q', target.address, '--', 'sleep', '60'], { env: engine.env });
    expect(await debuggerRuns()).toBe(true);
    cli.kill('SIGKILL');
    await cli;
    expect(await noDebuggerLeft()).toBe(true);
  });

  it('ends with a clear message and exit code 123 when the target dies', async () => {
    const doomed = await engine.startTarget();
    started.push(doomed);
    const cli = sidekickProcess(['exec', doomed.address, '--', 'sleep', '60'], { env: engine.env, timeout: 120_000 });
    cli.catch(() => undefined);
    expect(await debuggerRuns()).toBe(true);
    await engine.kill(doomed);
    const result = await cli;
    expect(result.exitCode).toBe(123);
    expect(String(result.stderr)).toMatch(/stopped during the session/);
    expect(await engine.debuggers()).toEqual([]);
  });
});
