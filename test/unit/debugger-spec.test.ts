import { describe, expect, it } from 'vitest';
import { buildDebuggerSpec, copyNotice, decideStreams, normalizeCaps, parseEnv } from '../../src/entry/debugger-spec.js';
import type { Target } from '../../src/runtimes/runtime.js';

const target: Target = { engine: 'docker', address: 'docker://web', id: 'abc123', name: 'web', image: 'x', running: true };
const term = { stdinIsTTY: true, term: 'xterm-256color', localEnv: { FROM_HOST: 'h' }, owner: 'me@host:1' };

describe('decideStreams', () => {
  it('gives a shell on a terminal a TTY and stdin', () => {
    expect(decideStreams({ command: [] }, { stdinIsTTY: true })).toEqual({ tty: true, stdin: true });
  });
  it('feeds a shell without a terminal from stdin', () => {
    expect(decideStreams({ command: [] }, { stdinIsTTY: false })).toEqual({ tty: false, stdin: true });
  });
  it('runs a command without TTY or stdin unless asked', () => {
    expect(decideStreams({ command: ['ps'] }, { stdinIsTTY: true })).toEqual({ tty: false, stdin: false });
    expect(decideStreams({ command: ['cat'], interactive: true }, { stdinIsTTY: false })).toEqual({ tty: false, stdin: true });
    expect(decideStreams({ command: ['top'], tty: true, interactive: true }, { stdinIsTTY: true })).toEqual({ tty: true, stdin: true });
  });
  it('refuses -t without a terminal', () => {
    expect(() => decideStreams({ command: [], tty: true }, { stdinIsTTY: false })).toThrow(/-t needs a terminal/);
  });
});

describe('options', () => {
  it('parses -e like docker', () => {
    expect(parseEnv(['A=1', 'B=', 'C=x=y', 'FROM_HOST', 'MISSING'], { FROM_HOST: 'h' })).toEqual({ A: '1', B: '', C: 'x=y', FROM_HOST: 'h' });
    expect(() => parseEnv(['1BAD=x'], {})).toThrow(/bad --env/);
  });
  it('normalizes capabilities (the profile adds SYS_PTRACE, see security.test.ts)', () => {
    expect(normalizeCaps(['net_admin', 'CAP_NET_RAW,sys_admin'])).toEqual(['NET_ADMIN', 'NET_RAW', 'SYS_ADMIN']);
    expect(() => normalizeCaps(['$(x)'])).toThrow(/bad --cap-add/);
  });
});

describe('buildDebuggerSpec', () => {
  it('is unprivileged by default, labelled, and carries the command as arguments', () => {
    const spec = buildDebuggerSpec(target, { command: ['ls', '$(id)', ';rm -rf /'] }, term);
    expect(spec.security).toEqual({ profile: 'general', user: { uid: 0, gid: 0 }, capAdd: ['SYS_PTRACE'], capDrop: [], privileged: false });
    expect(spec.image).toBe('busybox:musl');
    expect(spec.pull).toBe('missing');
    expect(spec.labels['io.sidekick.role']).toBe('debugger');
    expect(spec.labels['io.sidekick.target']).toBe('abc123');
    expect(spec.argv).toEqual(['sh', '-c', 'eval "$SIDEKICK_ENTRY"', 'sidekick', 'ls', '$(id)', ';rm -rf /']);
    expect(spec.env.SIDEKICK_ENTRY).not.toContain('$(id)');
    expect(spec.name).toMatch(/^sidekick-web-[0-9a-f]{6}$/);
  });
  it('keeps the user -e values and the terminal over the target environment', () => {
    const spec = buildDebuggerSpec(target, { command: [], env: ['APP_MODE=x'] }, term);
    expect(spec.tty).toBe(true);
    expect(spec.env.TERM).toBe('xterm-256color');
    expect(spec.env.APP_MODE).toBe('x');
    expect(spec.env.SIDEKICK_KEEP_ENV!.split(' ').sort()).toEqual(['APP_MODE', 'PS1', 'TERM']);
  });
  it('passes --user to the entry script and rejects bad names', () => {
    expect(buildDebuggerSpec(target, { command: ['id'], user: '65532' }, term).env.SIDEKICK_USER).toBe('65532');
    expect(() => buildDebuggerSpec(target, { command: ['id'], name: 'a b' }, term)).toThrow(/bad --name/);
  });
  it("applies --profile with the target's user", () => {
    const spec = buildDebuggerSpec({ ...target, config: { env: [], user: '65532:65533', unknown: [] } }, { command: ['id'], profile: 'restricted' }, term);
    expect(spec.security.user).toEqual({ uid: 65532, gid: 65533 });
    expect(() => buildDebuggerSpec(target, { command: ['id'], profile: 'admin' }, term)).toThrow(/unknown --profile/);
  });
});

describe('copyNotice', () => {
  it('names the state and exit code of an exited target', () => {
    expect(copyNotice({ state: 'exited', exitCode: 3 })).toBe('target is exited (code 3): debugging a copy of its filesystem; changes are discarded');
  });
  it('names other states without a code', () => {
    expect(copyNotice({ state: 'created', exitCode: 0 })).toBe('target is created: debugging a copy of its filesystem; changes are discarded');
  });
});
