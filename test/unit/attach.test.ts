/** Sessions to come back to, the pure parts: detach keys, what counts as stale, a detached spec, the one-line errors. */
import { describe, expect, it } from 'vitest';
import { isStale } from '../../src/commands/sessions.js';
import { buildDebuggerSpec } from '../../src/entry/debugger-spec.js';
import { noSession, notAttachable, sessionEnded } from '../../src/runtimes/errors.js';
import type { DebuggerInfo, Target } from '../../src/runtimes/runtime.js';
import { DetachKeys, parseDetachKeys } from '../../src/session/detach-keys.js';
import { UserError } from '../../src/errors.js';

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

describe('--detach-keys (Docker\'s syntax)', () => {
  it('reads characters and ctrl- keys, letters and the symbols a terminal sends', () => {
    expect(parseDetachKeys('ctrl-p,ctrl-q')).toEqual({ bytes: Buffer.from([0x10, 0x11]), name: 'ctrl-p ctrl-q' });
    expect(parseDetachKeys('ctrl-X,x').bytes).toEqual(Buffer.from([0x18, 0x78]));
    expect(parseDetachKeys('ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_').bytes).toEqual(Buffer.from([0, 27, 28, 29, 30, 31]));
    expect(parseDetachKeys('a').bytes).toEqual(Buffer.from('a'));
  });
  it('refuses what is not a key, in one line that says how to write one', () => {
    for (const bad of ['ctrl-', 'ctrl-1', 'ab', 'ctrl-p,,ctrl-q', '', 'é']) {
      let caught: unknown;
      try {
        parseDetachKeys(bad);
      } catch (e) {
        caught = e;
      }
      expect(caught, bad).toBeInstanceOf(UserError);
      expect((caught as UserError).line).toMatch(/^bad --detach-keys .*: give keys separated by commas/);
      expect((caught as UserError).line).not.toContain('\n');
    }
  });
  it('detaches on a sequence of three, holding back any start of it at the end of a chunk', () => {
    const keys = new DetachKeys(parseDetachKeys('ctrl-x,y,z').bytes);
    expect(feed(keys, 'a\x18')).toEqual({ send: 'a', detach: false });
    expect(feed(keys, 'y')).toEqual({ send: '', detach: false });
    expect(feed(keys, 'q')).toEqual({ send: '\x18yq', detach: false });
    expect(feed(keys, '\x18y')).toEqual({ send: '', detach: false });
    expect(feed(keys, 'z!')).toEqual({ send: '', detach: true });
    // ctrl-p ctrl-q mean nothing then
    expect(feed(new DetachKeys(parseDetachKeys('ctrl-x,y').bytes), '\x10\x11')).toEqual({ send: '\x10\x11', detach: false });
  });
  it('a one-key sequence holds nothing back', () => {
    expect(feed(new DetachKeys(parseDetachKeys('ctrl-]').bytes), 'ls\x1d')).toEqual({ send: 'ls', detach: true });
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
