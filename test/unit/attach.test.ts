/** Sessions to come back to, the pure parts: detach keys, what counts as stale, a detached spec, the one-line errors. */
import { describe, expect, it } from 'vitest';
import { isStale } from '../../src/commands/sessions.js';
import { buildDebuggerSpec } from '../../src/entry/debugger-spec.js';
import { noSession, notAttachable, sessionEnded } from '../../src/runtimes/errors.js';
import type { DebuggerInfo, Target } from '../../src/runtimes/runtime.js';
import { DetachKeys } from '../../src/session/detach-keys.js';

const feed = (keys: DetachKeys, text: string) => {
  const r = keys.feed(Buffer.from(text, 'latin1'));
  return { send: r.send.toString('latin1'), detach: r.detach };
};

describe('detach keys (ctrl-p ctrl-q)', () => {
  it('detaches on the sequence, sending what came before it', () => {
    expect(feed(new DetachKeys(), 'ls\r\x10\x11more')).toEqual({ send: 'ls\r', detach: true });
  });
  it('holds a ctrl-p at the end of a chunk until the next key says what it is', () => {
    const keys = new DetachKeys();
    expect(feed(keys, 'a\x10')).toEqual({ send: 'a', detach: false });
    expect(feed(keys, '\x11')).toEqual({ send: '', detach: true });
    const other = new DetachKeys();
    expect(feed(other, '\x10')).toEqual({ send: '', detach: false });
    expect(feed(other, 'x')).toEqual({ send: '\x10x', detach: false });
  });
  it('passes ctrl-q alone and ordinary text as they are', () => {
    expect(feed(new DetachKeys(), '\x11q\x10p')).toEqual({ send: '\x11q\x10p', detach: false });
  });
});

describe('detached debuggers', () => {
  const base: DebuggerInfo = { engine: 'docker', id: 'x', name: 'd', target: 't', status: 'Up', running: true, created: new Date(), owner: 'me@box:42' };
  it('are stale only once they ended, whether their CLI lives or not', () => {
    expect(isStale({ ...base, detached: true }, 'box', () => false)).toBe(false);
    expect(isStale({ ...base, detached: true, running: false }, 'box', () => true)).toBe(true);
  });
  it('are labelled and marked detached in the spec', () => {
    const target: Target = { engine: 'docker', address: 'docker://web', id: 'abc', name: 'web', image: 'x', running: true };
    const spec = buildDebuggerSpec(target, { command: [], detach: true }, { stdinIsTTY: true, localEnv: {}, owner: 'me@box:1' });
    expect(spec).toMatchObject({ detached: true, tty: true, stdin: true, labels: { 'io.sidekick.detached': 'true' } });
    expect(buildDebuggerSpec(target, { command: [] }, { stdinIsTTY: true, localEnv: {}, owner: 'me@box:1' }).detached).toBeUndefined();
  });
});

describe('attach errors', () => {
  it('say when a session ended and with what code, where the engine knows', () => {
    expect(sessionEnded('sk-1', 4, new Date('2026-11-30T06:00:01.234Z')).line).toBe(
      'session sk-1 ended at 2026-11-30T06:00:01Z with exit code 4: start another with "sidekick exec -d TARGET"',
    );
    expect(sessionEnded('sk-1', 0).line).toBe('session sk-1 ended with exit code 0: start another with "sidekick exec -d TARGET"');
    expect(sessionEnded('sk-1', 3, new Date('0001-01-01T00:00:00Z')).message).toBe('session sk-1 ended with exit code 3');
    expect(sessionEnded('sk-1', 3).exitCode).not.toBe(0);
  });
  it('name what is missing or why it cannot be attached', () => {
    expect(noSession('docker://x').line).toMatch(/^no sidekick session at docker:\/\/x: list them with "sidekick sessions"/);
    expect(notAttachable('sk-1', 'it runs without stdin').message).toBe('session sk-1 cannot be attached: it runs without stdin');
  });
});
