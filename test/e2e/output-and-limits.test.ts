/**
 * Behaviour that is the same on every engine, checked once on Docker: colour only at a terminal and
 * never with NO_COLOR, diagnose's --timeout, and containerd's unknown namespace explained.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError, sidekick } from '../helpers/cli.js';
import { dockerEngine, eventually, type StartedTarget } from '../helpers/engines.js';
import { PtySession } from '../helpers/pty.js';

const ESC = /\x1b\[\d+(;\d+)*m/;

describe('output and limits', () => {
  let target: StartedTarget;
  let silentDns: StartedTarget;

  beforeAll(async () => {
    await dockerEngine.ready();
    // a nameserver nobody answers on: a DNS check then takes seconds
    [target, silentDns] = await Promise.all([dockerEngine.startTarget(), dockerEngine.startTarget({ dns: ['192.0.2.254'] })]);
  });

  afterAll(async () => {
    await Promise.all([target, silentDns].filter(Boolean).map((t) => dockerEngine.remove(t)));
  });

  const diagnoseAtTerminal = async (env: Record<string, string>) => {
    const session = new PtySession(['diagnose', target.address, '--check', 'port:8080'], { env });
    try {
      expect(await session.exited, session.text).toBe(0);
      return session.text;
    } finally {
      session.kill();
    }
  };

  it('colours the report at a terminal, and not with NO_COLOR', async () => {
    const coloured = await diagnoseAtTerminal({});
    expect(coloured).toMatch(/PASS/);
    expect(coloured).toMatch(ESC);
    const plain = await diagnoseAtTerminal({ NO_COLOR: '1' });
    expect(plain).toMatch(/PASS\s+port:8080/);
    expect(plain).not.toMatch(ESC);
  });

  it('gives up after --timeout with exit 2, one line, and no debugger left', async () => {
    const r = await sidekick(['diagnose', silentDns.address, '--timeout', '400ms', '--check', 'dns:example.org']);
    expect(r.exitCode).toBe(2);
    expectOneLineError(r, /the diagnosis took longer than 0\.4s: raise --timeout/);
    expect(await eventually(async () => (await dockerEngine.debuggers()).every((d) => !d.includes(silentDns.name)), 20_000)).toBe(true);
  });

  it("names containerd's namespaces when the address names one that does not exist", async () => {
    const r = await sidekick(['exec', 'containerd://no-such-ns/abc', '--', 'true']);
    expect(r.exitCode).toBe(125);
    expectOneLineError(r, /no namespace "no-such-ns" on containerd: its namespaces are .*\bdefault\b/);
  });
});
