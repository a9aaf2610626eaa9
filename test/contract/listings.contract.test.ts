/**
 * `sidekick targets`, `sessions` and `cleanup` on every engine, Kubernetes included (where a debugger
 * cannot be removed, cleanup ends its processes; test/k8s/exec-kubernetes.test.ts lists the ended
 * ones). Other developers' sessions share these engines: every assertion is about this file's own
 * targets and debuggers, and `cleanup --all` is narrowed where the CLI can narrow it (engine.listingScope).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sidekick, sidekickProcess } from '../helpers/cli.js';
import { eventually, type StartedTarget } from '../helpers/engines.js';
import { debuggersOf, forScenario, debuggersLeft } from './engines.js';

interface Session {
  id: string;
  name: string;
  engine: string;
  target: string;
  running: boolean;
}

const escaped = (text: string) => text.replace(/[/.()]/g, '\\$&');

describe.each(forScenario('listings'))('listings on $name', (engine) => {
  let target: StartedTarget;
  const list = async (command: 'targets' | 'sessions', ...more: string[]) => sidekick([command, ...more], { env: engine.env });
  const sessions = async () => JSON.parse((await list('sessions', '--json')).stdout) as Session[];
  /** this target's debuggers that run (a session's takes a moment to show as running on Kubernetes) */
  const running = async () => (await engine.runningDebuggers()).filter((d) => d.includes(`sidekick-${target.name}-`));

  beforeAll(async () => {
    await engine.ready();
    target = await engine.startTarget();
  });

  afterAll(async () => {
    expect(await debuggersLeft(engine, [target])).toEqual([]);
    await engine.remove(target);
  });

  it('lists the target with its address, as a table and as JSON', async () => {
    const table = await list('targets');
    expect(table.stdout).toMatch(/^ADDRESS\s+ENGINE\s+IMAGE\s+STATUS\s+AGE/);
    expect(table.stdout).toContain(target.address);
    const json = JSON.parse((await list('targets', '--json')).stdout) as Array<{ address: string; engine: string }>;
    expect(json).toContainEqual(expect.objectContaining({ address: target.address, engine: engine.name }));
  });

  it('lists a live session, and cleanup leaves it alone unless named', async () => {
    const cli = sidekickProcess(['exec', '-q', target.address, '--', 'sleep', '60'], { env: engine.env, timeout: 120_000 });
    cli.catch(() => undefined);
    expect(await eventually(async () => (await running()).length === 1, 60_000)).toBe(true);
    const listed = await sessions();
    expect(listed).toContainEqual(expect.objectContaining({ engine: engine.name, target: target.address, running: true }));
    const mine = listed.find((s) => s.target === target.address && s.running)!;
    expect(mine.name).toMatch(new RegExp(`^sidekick-${escaped(target.name)}-`));

    // a live session is not stale: others' stale debuggers may be cleaned up here, never this one
    const polite = await sidekick(['cleanup', ...engine.listingScope()], { env: engine.env });
    expect(polite.exitCode, polite.stderr).toBe(0);
    expect(polite.stdout).not.toContain(mine.name);
    expect(await running()).toHaveLength(1);

    // --only, not --all: other sessions on this machine are not ours to end
    const only = await sidekick(['cleanup', '--only', mine.id], { env: engine.env });
    expect(only.stdout).toBe(`removed ${engine.name} debugger ${mine.name} (target ${target.address})\n`);
    expect((await cli).exitCode).not.toBe(0);
    expect(await debuggersLeft(engine, [target])).toEqual([]);
    // once it is gone, or ended where debuggers stay listed, there is nothing left to clean up
    const again = await sidekick(['cleanup', '--only', mine.id], { env: engine.env });
    expect(again.stdout).toBe('nothing to clean up\n');
  });

  it('cleanup --all ends live sessions too, and their CLI exits non-zero', async () => {
    const cli = sidekickProcess(['exec', '-q', target.address, '--', 'sleep', '60'], { env: engine.env, timeout: 120_000 });
    cli.catch(() => undefined);
    expect(await eventually(async () => (await running()).length === 1, 60_000)).toBe(true);
    const live = (await sessions()).find((s) => s.target === target.address && s.running)!;
    const all = await sidekick(['cleanup', '--all', ...engine.listingScope()], { env: engine.env });
    expect(all.exitCode, all.stderr).toBe(0);
    expect(all.stdout).toMatch(new RegExp(`^removed ${engine.name} debugger ${escaped(live.name)} \\(target ${escaped(target.address)}\\)$`, 'm'));
    const ended = await cli;
    expect(ended.exitCode).not.toBe(0);
    // only this target's: other sessions on the engine are not this test's
    expect(await eventually(async () => (await debuggersOf(engine, [target])).length === 0, 20_000)).toBe(true);
  });
});
