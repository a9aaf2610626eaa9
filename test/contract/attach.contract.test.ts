/**
 * Sessions to come back to, on every engine: `exec -d` leaves a debugger running after its CLI has
 * gone, `sessions` shows it attachable, `attach` joins it again in a terminal (or with piped input),
 * exits with its exit code and removes it; a session that ended or is unknown is one line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError, sidekick, sidekickProcess } from '../helpers/cli.js';
import { eventually, type StartedTarget, type TestEngine } from '../helpers/engines.js';
import { PtySession } from '../helpers/pty.js';
import { forScenario, has, itIf } from './engines.js';

interface Session {
  id: string;
  name: string;
  target: string;
  running: boolean;
  detached: boolean;
  attachable: boolean;
}

const ADDRESS = /^(docker|podman|containerd|nerdctl):\/\/\S+$/m;
// Engines whose debuggers are removed at the end of an attach: Kubernetes' ephemeral ones cannot be
// (they stay in the pod, ended), so its scenarios are test/k8s/attach.test.ts.
const REMOVABLE = forScenario('attach');

async function sessionsOf(engine: TestEngine, target: StartedTarget): Promise<Session[]> {
  const listed = await sidekick(['sessions', '--json'], { env: engine.env });
  expect(listed.exitCode, listed.stderr).toBe(0);
  return (JSON.parse(listed.stdout) as Session[]).filter((s) => s.target === target.address);
}

/** `exec -d` in a terminal: the debugger gets one too; resolves with its address once the CLI is gone. */
async function startDetachedShell(engine: TestEngine, target: StartedTarget): Promise<string> {
  const cli = new PtySession(['exec', '-d', target.address], { env: engine.env });
  const code = await cli.exited;
  expect(code, cli.text).toBe(0);
  const id = ADDRESS.exec(cli.text)?.[0];
  expect(id, cli.text).toBeDefined();
  expect(cli.text).toMatch(/runs detached: come back with "sidekick attach sidekick-/);
  // the shell's own output (its prompt) is for the attach, not for this terminal
  expect(cli.text).not.toMatch(/\[sidekick /);
  return id!;
}

async function gone(engine: TestEngine, name: string): Promise<boolean> {
  return eventually(async () => (await engine.debuggers()).every((d) => !d.includes(name)), 20_000);
}

/** A target for the describe block's scenarios, removed after them with whatever debuggers a failed one left. */
function targetFor(engine: TestEngine): { readonly target: StartedTarget } {
  const held = {} as { target: StartedTarget };
  beforeAll(async () => {
    await engine.ready();
    held.target = await engine.startTarget();
  });
  afterAll(async () => {
    if (!held.target) return;
    for (const s of await sessionsOf(engine, held.target).catch(() => [])) await sidekick(['cleanup', '--only', s.id, '-q'], { env: engine.env });
    await engine.remove(held.target);
  });
  return held;
}

describe.each(REMOVABLE)('exec -d and attach on $name', (engine) => {
  const held = targetFor(engine);
  let target: StartedTarget;
  beforeAll(() => {
    target = held.target;
  });

  it('leaves a shell running, listed as attachable; attach in a terminal runs commands, exits with the code and removes it', async () => {
    const id = await startDetachedShell(engine, target);
    const listed = (await sessionsOf(engine, target)).find((s) => s.id === id);
    expect(listed).toMatchObject({ running: true, detached: true, attachable: true });
    const table = await sidekick(['sessions'], { env: engine.env });
    expect(table.stdout).toMatch(/\bATTACH\b/);
    expect(table.stdout).toMatch(new RegExp(`${listed!.name}\\s.*\\syes\\s`));
    // the CLI is gone, its reaper too: a cleanup of stale debuggers leaves a detached one alone
    await sidekick(['cleanup', '-q'], { env: engine.env });
    expect((await engine.runningDebuggers()).some((d) => d.includes(listed!.name))).toBe(true);

    const attach = new PtySession(['attach', listed!.name], { env: engine.env });
    await attach.expect(/attached to sidekick-/);
    attach.write('echo hel""lo-$((6*7)) $(cat /proc/1/cmdline | tr "\\0" " ")\r');
    const at = await attach.expect(/hello-42 \S+/);
    attach.write('exit 7\r');
    expect(await attach.exited, attach.text.slice(at)).toBe(7);
    expect(await gone(engine, listed!.name)).toBe(true);
  });

  it('attach with piped input and no terminal: output, exit code, removed', async () => {
    const started = await sidekick(['exec', '-d', '-q', target.address], { env: engine.env });
    expect(started.exitCode, started.stderr).toBe(0);
    expect(started.stderr).toBe('');
    const id = started.stdout.trim();
    expect(id).toMatch(ADDRESS);
    const attached = await sidekick(['attach', '-q', id], { env: engine.env, input: 'echo hello-$((6*7))\nexit 5\n' });
    expect(attached.stdout).toContain('hello-42');
    expect(attached.exitCode, attached.stderr).toBe(5);
    const name = id.split('/').pop()!;
    expect(await gone(engine, name.startsWith('sidekick-') ? name : id.replace(/^\w+:\/\//, ''))).toBe(true);
  });

  it('a shell started in a terminal, attached with pipes: its output, its exit code, removed', async () => {
    const id = await startDetachedShell(engine, target);
    const attached = await sidekick(['attach', '-q', id], { env: engine.env, input: 'echo piped-$((6*7))\nexit 6\n' });
    expect(attached.stdout).toContain('piped-42');
    expect(attached.exitCode, attached.stderr).toBe(6);
    expect((await sessionsOf(engine, target)).some((s) => s.id === id)).toBe(false);
  });

  it('the terminal of an attach going away (SIGHUP) leaves the debugger running, to come back to', async () => {
    const id = await startDetachedShell(engine, target);
    const attach = new PtySession(['attach', id], { env: engine.env });
    await attach.expect(/attached to/);
    attach.kill(); // node-pty hangs up: SIGHUP
    expect(await attach.exited).toBe(129);
    expect((await sessionsOf(engine, target)).find((s) => s.id === id)).toMatchObject({ running: true, attachable: true });
    const back = new PtySession(['attach', id], { env: engine.env });
    await back.expect(/attached to/);
    back.write('exit 0\r');
    expect(await back.exited, back.text).toBe(0);
  });

  it('attach to a session that ended: its exit code in one line, non-zero, and it is removed', async () => {
    const started = await sidekick(['exec', '-d', '-q', target.address, '--', 'sh', '-c', 'exit 4'], { env: engine.env });
    expect(started.exitCode, started.stderr).toBe(0);
    const id = started.stdout.trim();
    expect(await eventually(async () => (await sessionsOf(engine, target)).some((s) => s.id === id && !s.running && !s.attachable))).toBe(true);
    const attached = await sidekick(['attach', id], { env: engine.env });
    expectOneLineError(attached, /session sidekick-\S+ ended .*with exit code 4: start another with "sidekick exec -d TARGET"/);
    expect((await sessionsOf(engine, target)).some((s) => s.id === id)).toBe(false);
    const again = await sidekick(['attach', id], { env: engine.env });
    expectOneLineError(again, /no sidekick session at /);
  });

  it('exec -d of a target that does not run: one line, nothing left', async () => {
    const stopped = await engine.createStopped();
    try {
      expectOneLineError(await sidekick(['exec', '-d', stopped.address], { env: engine.env }), /not running/);
      expect((await engine.debuggers()).some((d) => d.includes(stopped.name))).toBe(false);
    } finally {
      await engine.remove(stopped);
    }
  });

  it('attach to an unknown session, or to a live session of another CLI: one line, non-zero', async () => {
    expectOneLineError(await sidekick(['attach', 'sidekick-nobody-000000'], { env: engine.env }), /no sidekick session at sidekick-nobody-000000: list them with "sidekick sessions"/);
    const cli = sidekickProcess(['exec', '-q', target.address, '--', 'sleep', '60'], { env: engine.env });
    cli.catch(() => undefined);
    expect(await eventually(async () => (await sessionsOf(engine, target)).some((s) => s.running))).toBe(true);
    const live = (await sessionsOf(engine, target)).find((s) => s.running)!;
    expect(live).toMatchObject({ detached: false, attachable: false });
    expectOneLineError(await sidekick(['attach', live.id], { env: engine.env }), /cannot be attached: it is the live session of \S+@/);
    cli.kill('SIGTERM');
    await cli;
    expect(await gone(engine, live.name)).toBe(true);
    expectOneLineError(await sidekick(['attach', '--detach-keys', 'ctrl-1', 'sidekick-nobody-000000'], { env: engine.env }), /bad --detach-keys "ctrl-1"/);
  });
});

// Detach keys are watched by sidekick on the terminal it holds (containerd included: it joins the task's FIFOs itself).
describe.each(forScenario('detachKeys'))('detach keys on $name', (engine) => {
  const held = targetFor(engine);
  let target: StartedTarget;
  beforeAll(() => {
    target = held.target;
  });

  it('ctrl-p ctrl-q leaves the shell running with its state; a second attach finds it', async () => {
    const id = await startDetachedShell(engine, target);
    const first = new PtySession(['attach', id], { env: engine.env });
    await first.expect(/ctrl-p ctrl-q detaches/);
    first.write('KEPT=still-$((40+2))\r');
    first.write('\x10\x11');
    expect(await first.exited, first.text).toBe(0);
    expect(first.text).toMatch(/detached; sidekick-\S+ still runs/);
    expect((await sessionsOf(engine, target)).find((s) => s.id === id)).toMatchObject({ running: true, attachable: true });

    const second = new PtySession(['attach', id], { env: engine.env });
    await second.expect(/attached to/);
    second.write('echo $KEPT; stty size\r');
    // the terminal's size (PtySession's 30 rows, 100 columns) reached the debugger's TTY on attach
    await second.expect(/still-42\s+30 100/);
    second.write('exit 3\r');
    expect(await second.exited, second.text).toBe(3);
    expect((await sessionsOf(engine, target)).some((s) => s.id === id)).toBe(false);
  });

  it('--detach-keys: other keys detach, and ctrl-p ctrl-q reach the shell', async () => {
    const id = await startDetachedShell(engine, target);
    const first = new PtySession(['attach', '--detach-keys', 'ctrl-x,x', id], { env: engine.env });
    await first.expect(/ctrl-x x detaches/);
    first.write('\x10\x11echo still-$((6*7))\r');
    await first.expect(/still-42/);
    first.write('\x18x');
    expect(await first.exited, first.text).toBe(0);
    expect(first.text).toMatch(/detached; sidekick-\S+ still runs/);
    const second = await sidekick(['attach', '-q', id], { env: engine.env, input: 'exit 4\n' });
    expect(second.exitCode, second.stderr).toBe(4);
    expect((await sessionsOf(engine, target)).some((s) => s.id === id)).toBe(false);
  });

  itIf(engine, 'keepsStdin')('without a terminal: ctrl-p ctrl-q in piped input detaches; a second attach finds the shell with its state', async () => {
    const started = await sidekick(['exec', '-d', '-q', target.address], { env: engine.env });
    expect(started.exitCode, started.stderr).toBe(0);
    const id = started.stdout.trim();
    const first = await sidekick(['attach', id], { env: engine.env, input: 'KEPT=piped-$((40+2))\n\x10\x11echo not-sent\n' });
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/detached; sidekick-\S+ still runs/);
    expect((await sessionsOf(engine, target)).find((s) => s.id === id)).toMatchObject({ running: true, attachable: true });
    const second = await sidekick(['attach', '-q', id], { env: engine.env, input: 'echo kept-$KEPT\nexit 3\n' });
    expect(second.stdout).toContain('kept-piped-42');
    expect(second.stdout).not.toContain('not-sent');
    expect(second.exitCode, second.stderr).toBe(3);
    expect((await sessionsOf(engine, target)).some((s) => s.id === id)).toBe(false);
  });
});

// Where the engine closes a debugger's stdin as an attach leaves (Podman's conmon), sidekick says so.
describe.each(REMOVABLE.filter((engine) => !has(engine, 'keepsStdin')))('a debugger without a TTY on $name', (engine) => {
  const held = targetFor(engine);

  it('exec -d and attach say in one line that a detach ends its shell; the next attach tells that it ended', async () => {
    const started = await sidekick(['exec', '-d', held.target.address], { env: engine.env });
    expect(started.exitCode, started.stderr).toBe(0);
    const closes = /closes the stdin of a debugger without a TTY when an attach leaves, which ends its shell/;
    expect(started.stderr.split('\n').filter((line) => closes.test(line))).toHaveLength(1);
    const id = started.stdout.trim();
    const first = await sidekick(['attach', id], { env: engine.env, input: 'echo hello-$((6*7))\n\x10\x11' });
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stderr).toMatch(new RegExp(`attached to sidekick-\\S+; ctrl-p ctrl-q detaches, but .*${closes.source}`));
    expect(first.stderr).toMatch(new RegExp(`detached; .*${closes.source}`));
    expect(first.stderr).not.toMatch(/still runs/);
    expect(await eventually(async () => (await sessionsOf(engine, held.target)).some((s) => s.id === id && !s.running))).toBe(true);
    expectOneLineError(await sidekick(['attach', id], { env: engine.env }), /session sidekick-\S+ ended .*with exit code 0/);
    expect((await sessionsOf(engine, held.target)).some((s) => s.id === id)).toBe(false);
  });
});
