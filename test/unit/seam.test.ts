/**
 * The engine seam's pure parts: a bare name's outcome decided on error kinds, the one pull policy,
 * containerd's two namings, debugger ids as addresses, and how a session ends when its engine
 * stops answering (a fake Runtime and Debugger: no engine involved).
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { EXIT, UserError, type ErrorKind } from '../../src/errors.js';
import { formatAddress, parseAddress } from '../../src/runtimes/address.js';
import { CONTAINERD, NERDCTL, NERDCTL_NAME } from '../../src/runtimes/containerd/naming.js';
import { pickFound, type Attempt } from '../../src/runtimes/engines.js';
import { applyPullPolicy, pullForbidden } from '../../src/runtimes/errors.js';
import type { Debugger, DebuggerSpec, PullPolicy, Runtime, Target } from '../../src/runtimes/runtime.js';
import { Cleanup } from '../../src/session/interrupts.js';
import { runSession } from '../../src/session/session.js';

const target = (engine: 'docker' | 'podman', name: string): Target => ({
  engine,
  address: formatAddress(engine, name),
  id: `${name}-id`,
  name,
  image: 'app',
  running: true,
});
const fail = (engine: Attempt['engine'], kind: ErrorKind, message = `${kind} on ${engine}`): Attempt => ({ engine, error: new UserError(message, { kind }) });
const found = (engine: 'docker' | 'podman'): Attempt => ({ engine, runtime: {} as Runtime, target: target(engine, 'web') });

describe('pickFound (a bare name on every engine)', () => {
  it('takes the one engine that has it', () => {
    expect(pickFound('web', [fail('docker', 'not-found'), found('podman'), fail('containerd', 'unreachable')]).target.address).toBe('podman://web');
  });

  it('refuses a name on several engines, naming their addresses', () => {
    expect(() => pickFound('web', [found('docker'), found('podman')])).toThrow(/on several engines: docker:\/\/web, podman:\/\/web/);
  });

  it('prefers a real problem on one engine (not running, ambiguous, denied) to "not found"', () => {
    for (const kind of ['not-running', 'ambiguous', 'denied'] as const) {
      const attempts = [fail('docker', 'not-found'), fail('podman', kind, 'the real problem'), fail('containerd', 'unreachable')];
      expect(() => pickFound('web', attempts)).toThrow('the real problem');
    }
  });

  it('decides on kinds, not on wording', () => {
    // worded like "not found" but of another kind: it is the problem to report
    const attempts = [fail('docker', 'not-running', 'no container is running as web'), fail('podman', 'not-found', 'cannot reach nothing')];
    expect(() => pickFound('web', attempts)).toThrow('no container is running as web');
  });

  it('says "not found" on the engines it could search', () => {
    const attempts = [fail('docker', 'not-found'), fail('podman', 'unreachable'), fail('containerd', 'not-found'), fail('nerdctl', 'not-found')];
    expect(() => pickFound('web', attempts)).toThrow('no container "web" on docker or containerd or nerdctl');
  });

  it('says no engine is reachable when none answered', () => {
    const attempts = [fail('docker', 'unreachable', 'cannot reach Docker'), fail('podman', 'unreachable')];
    const error = (() => {
      try {
        pickFound('web', attempts);
      } catch (e) {
        return e as UserError;
      }
    })();
    expect(error?.message).toBe('no container engine is reachable (searched docker, podman)');
    expect(error?.kind).toBe('unreachable');
    expect(error?.hint).toBe('cannot reach Docker');
  });
});

describe('applyPullPolicy', () => {
  it.each<[PullPolicy, boolean, string[]]>([
    ['always', true, ['pull']],
    ['always', false, ['pull']],
    ['missing', true, ['present?']],
    ['missing', false, ['present?', 'pull']],
    ['never', true, ['present?']],
  ])('--pull %s with the image present=%s: %j', async (policy, present, calls) => {
    const seen: string[] = [];
    await applyPullPolicy(policy, {
      present: async () => (seen.push('present?'), present),
      pull: async () => void seen.push('pull'),
      forbidden: () => pullForbidden('app:1', 'Docker', '"docker pull app:1"'),
    });
    expect(seen).toEqual(calls);
  });

  it('--pull never with the image absent fails, pulling nothing', async () => {
    const pull = vi.fn();
    const run = applyPullPolicy('never', { present: async () => false, pull, forbidden: () => pullForbidden('app:1', 'Docker', '"docker pull app:1"') });
    await expect(run).rejects.toThrow('image app:1 is not on Docker and --pull never forbids pulling');
    expect(pull).not.toHaveBeenCalled();
  });
});

describe('containerd and nerdctl namings', () => {
  const labelled = { [NERDCTL_NAME]: 'web' };
  const id = 'a'.repeat(64);

  it('show each container under one naming only', () => {
    expect([CONTAINERD.owns(false), CONTAINERD.owns(true)]).toEqual([true, false]);
    expect([NERDCTL.owns(false), NERDCTL.owns(true)]).toEqual([false, true]);
  });

  it('print addresses in their own form', () => {
    expect(CONTAINERD.show('default', id, {})).toEqual({ address: 'containerd://default/aaaaaaaaaaaa', name: 'aaaaaaaaaaaa' });
    expect(NERDCTL.show('default', id, labelled)).toEqual({ address: 'nerdctl://web', name: 'web' });
    expect(NERDCTL.show('team', id, labelled).address).toBe('nerdctl://team/web');
  });

  it('find by name only where names are more than IDs', () => {
    expect(CONTAINERD.nameFilter('web')).toBeUndefined();
    expect(NERDCTL.nameFilter('web')).toBe('labels."nerdctl/name"=="web"');
  });
});

describe('debugger ids are addresses', () => {
  it.each([
    ['docker', 'c0ffee', undefined],
    ['podman', 'c0ffee', undefined],
    ['containerd', 'sidekick-app-1a2b3c', 'default'],
    ['nerdctl', 'sidekick-web-1a2b3c', 'team'],
  ] as const)('%s', (engine, name, namespace) => {
    const parsed = parseAddress(formatAddress(engine, name, namespace));
    expect([parsed.engine, parsed.namespace, parsed.name]).toEqual([engine, namespace, name]);
  });

  it('kubernetes', () => {
    expect(parseAddress(formatAddress('kubernetes', 'web/sidekick-web-1a2b3c', 'shop'))).toMatchObject({
      engine: 'kubernetes',
      namespace: 'shop',
      name: 'web',
      container: 'sidekick-web-1a2b3c',
    });
  });
});

describe('how a session ends', () => {
  const spec = { tty: false, stdin: false } as DebuggerSpec;

  function fakeDebugger(code: number): Debugger {
    const stdout = new PassThrough();
    stdout.end();
    return {
      id: 'dbg',
      name: 'dbg',
      notes: [],
      orphanCleanup: { kind: 'exec', file: 'true', args: [] },
      launch: async () => ({ streams: { stdout, ended: Promise.resolve() }, exited: Promise.resolve(code) }),
      resize: async () => undefined,
      remove: async () => undefined,
      exec: async () => {
        throw new Error('not used');
      },
    };
  }

  function fakeRuntime(isRunning: () => Promise<boolean>): Runtime {
    return { engine: 'docker', endpoint: 'unix:///var/run/docker.sock', isRunning } as unknown as Runtime;
  }

  const run = (code: number, isRunning: () => Promise<boolean>, say = vi.fn()) =>
    runSession(fakeRuntime(isRunning), target('docker', 'web'), fakeDebugger(code), spec, { cleanup: new Cleanup(), say });

  it("passes on the command's exit code", async () => {
    expect(await run(7, async () => true)).toBe(7);
  });

  it('says the target stopped when a signal ended the debugger and the target is gone', async () => {
    const say = vi.fn();
    expect(await run(137, async () => false, say)).toBe(EXIT.TARGET_STOPPED);
    expect(say).toHaveBeenCalledWith(expect.stringContaining('the target docker://web stopped during the session'));
  });

  it('says the engine was lost, with its own exit code, when the engine cannot tell', async () => {
    const session = run(137, async () => {
      throw new UserError('cannot reach Docker at unix:///var/run/docker.sock', { kind: 'unreachable' });
    });
    await expect(session).rejects.toMatchObject({ exitCode: EXIT.ENGINE_LOST, kind: 'unreachable' });
    await expect(session).rejects.toThrow(/^lost docker at unix:\/\/\/var\/run\/docker.sock during the session/);
  });
});
