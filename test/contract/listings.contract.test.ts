/** `sidekick targets`, `sessions` and `cleanup` on every engine. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sidekick, sidekickProcess } from '../helpers/cli.js';
import { eventually, type StartedTarget } from '../helpers/engines.js';
import { forScenario } from './engines.js';

describe.each(forScenario('listings'))('listings on $name', (engine) => {
  let target: StartedTarget;

  beforeAll(async () => {
    await engine.ready();
    target = await engine.startTarget();
  });

  afterAll(async () => {
    await engine.remove(target);
  });

  it('lists the target with its address, as a table and as JSON', async () => {
    const table = await sidekick(['targets'], { env: engine.env });
    expect(table.stdout).toMatch(/^ADDRESS\s+ENGINE\s+IMAGE\s+STATUS\s+AGE/);
    expect(table.stdout).toContain(target.address);
    const json = JSON.parse((await sidekick(['targets', '--json'], { env: engine.env })).stdout) as Array<{ address: string; engine: string }>;
    expect(json).toContainEqual(expect.objectContaining({ address: target.address, engine: engine.name }));
  });

  it('lists a live session, and cleanup leaves it alone unless named', async () => {
    const cli = sidekickProcess(['exec', '-q', target.address, '--', 'sleep', '60'], { env: engine.env });
    expect(await eventually(async () => (await engine.runningDebuggers()).length > 0)).toBe(true);
    const sessions = JSON.parse((await sidekick(['sessions', '--json'], { env: engine.env })).stdout) as Array<{ id: string; target: string; running: boolean }>;
    expect(sessions).toContainEqual(expect.objectContaining({ target: target.address, running: true }));
    const mine = sessions.find((s) => s.target === target.address)!;

    const polite = await sidekick(['cleanup'], { env: engine.env });
    expect(polite.stdout).toContain('nothing to clean up');
    expect(await engine.runningDebuggers()).toHaveLength(1);

    // --only, not --all: other sessions on this machine are not ours to end
    const all = await sidekick(['cleanup', '--only', mine.id], { env: engine.env });
    expect(all.stdout).toMatch(/removed .* debugger sidekick-/);
    await cli;
    expect(await engine.debuggers()).toEqual([]);
  });

  it('cleanup --all ends live sessions too, and their CLI exits non-zero', async () => {
    const cli = sidekickProcess(['exec', '-q', target.address, '--', 'sleep', '60'], { env: engine.env });
    cli.catch(() => undefined);
    expect(await eventually(async () => (await engine.runningDebuggers()).length > 0)).toBe(true);
    const all = await sidekick(['cleanup', '--all'], { env: engine.env });
    expect(all.exitCode, all.stderr).toBe(0);
    expect(all.stdout).toMatch(new RegExp(`removed ${engine.name} debugger sidekick-.* \\(target ${target.address.replace(/[/.]/g, '\\$&')}\\)`));
    const ended = await cli;
    expect(ended.exitCode).not.toBe(0);
    // only this target's: other sessions on the engine are not this test's
    expect(await eventually(async () => (await engine.debuggers()).every((d) => !d.includes(target.name)), 20_000)).toBe(true);
  });
});
