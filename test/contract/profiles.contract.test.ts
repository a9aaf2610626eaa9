/**
 * `--profile` on every local engine: who the debugger runs as and which capabilities are effective,
 * as the debugger's own /proc/self/status says, against a root and a non-root target.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError, sidekick } from '../helpers/cli.js';
import type { StartedTarget } from '../helpers/engines.js';
import { forScenario } from './engines.js';

const CAP = { NET_ADMIN: 12, SYS_CHROOT: 18, SYS_PTRACE: 19, SYS_ADMIN: 21 } as const;
// what the debugger reports of itself, then the target's file as its view allows
const PROBE = ['sh', '-c', 'id -u; grep -E "^(CapEff|NoNewPrivs):" /proc/self/status; pwd; cat /app/data/greeting.txt 2>/dev/null || cat data/greeting.txt 2>/dev/null || echo unreadable'];

interface Seen {
  uid: number;
  caps: bigint;
  noNewPrivs: boolean;
  cwd: string;
  greeting: string;
}

function parse(stdout: string): Seen {
  const [uid, capEff, nnp, cwd, greeting] = stdout.trim().split('\n');
  return {
    uid: Number(uid),
    caps: BigInt(`0x${capEff!.split(/\s+/)[1]}`),
    noNewPrivs: nnp!.endsWith('1'),
    cwd: cwd!,
    greeting: greeting!,
  };
}
const has = (caps: bigint, cap: keyof typeof CAP) => ((caps >> BigInt(CAP[cap])) & 1n) === 1n;
const FULL_VIEW = { cwd: '/app', greeting: 'hello from the target filesystem' };

describe.each(forScenario('profiles'))('--profile on $name', (engine) => {
  let rootTarget: StartedTarget;
  let nonRoot: StartedTarget;
  const run = (args: string[]) => sidekick(['exec', ...args], { env: engine.env });
  const probe = async (args: string[]) => {
    const r = await run([...args, '--', ...PROBE]);
    expect(r.exitCode, r.stderr).toBe(0);
    return { seen: parse(r.stdout), stderr: r.stderr };
  };

  beforeAll(async () => {
    await engine.ready();
    [rootTarget, nonRoot] = await Promise.all([engine.startTarget(), engine.startTarget({ user: '65532:65532' })]);
  });

  afterAll(async () => {
    await Promise.all([rootTarget, nonRoot].filter(Boolean).map((t) => engine.remove(t)));
    expect(await engine.debuggers()).toEqual([]);
  });

  it('restricted: a non-root user with no effective capabilities and no new privileges', async () => {
    const { seen, stderr } = await probe(['--profile', 'restricted', rootTarget.address]);
    // the target runs as root, which a restricted debugger may not be: nobody, who may not enter it
    expect(seen).toMatchObject({ uid: 65534, caps: 0n, noNewPrivs: true, greeting: 'unreadable' });
    // one line: what the profile is, what that costs here, and what gives more
    expect(stderr).toMatch(/^sidekick: --profile restricted runs the debugger as uid 65534 with no capabilities \(Pod Security "restricted"\): uid 65534 may not enter the target's filesystem .*; --profile general gives the full view\n$/);
  });

  it("restricted on a non-root target: the target's user, its files at /proc/1/root", async () => {
    const { seen, stderr } = await probe(['--profile', 'restricted', nonRoot.address]);
    expect(seen).toEqual({ uid: 65532, caps: 0n, noNewPrivs: true, cwd: '/proc/1/root/app', greeting: 'hello from the target filesystem' });
    expect(stderr).toMatch(/^sidekick: --profile restricted runs the debugger as uid 65532 .*: this debugger may not chroot .*the target's is at \/proc\/1\/root; --profile general gives the full view\n$/);
  });

  it('general is the default: root, SYS_PTRACE, the full view of a non-root target', async () => {
    const [byDefault, general] = await Promise.all([probe([nonRoot.address]), probe(['--profile', 'general', nonRoot.address])]);
    expect(general.seen).toEqual(byDefault.seen);
    expect(general.seen).toMatchObject({ uid: 0, ...FULL_VIEW });
    expect(has(general.seen.caps, 'SYS_PTRACE') && has(general.seen.caps, 'SYS_CHROOT')).toBe(true);
    expect(has(general.seen.caps, 'NET_ADMIN')).toBe(false);
  });

  it('general takes --cap-add; restricted and baseline refuse what they cannot pass, in one line', async () => {
    const { seen } = await probe(['--profile', 'general', '--cap-add', 'NET_ADMIN', rootTarget.address]);
    expect(has(seen.caps, 'NET_ADMIN')).toBe(true);
    expectOneLineError(await run(['--profile', 'restricted', '--cap-add', 'NET_ADMIN', rootTarget.address, '--', 'true']), /--profile restricted cannot take --cap-add NET_ADMIN/);
    expectOneLineError(await run(['--profile', 'baseline', '--privileged', rootTarget.address, '--', 'true']), /--profile baseline cannot take --privileged: use --profile general/);
  });

  it('baseline: no SYS_PTRACE, so only a target of the same user can be entered', async () => {
    const { seen } = await probe(['--profile', 'baseline', rootTarget.address]);
    expect(seen).toMatchObject({ uid: 0, ...FULL_VIEW });
    expect(has(seen.caps, 'SYS_PTRACE')).toBe(false);
    expectOneLineError(await run(['--profile', 'baseline', nonRoot.address, '--', 'true']), /--profile baseline adds no capabilities .*: cannot enter the target's filesystem .*permission denied; try --profile general$/);
  });

  it('netadmin: general with NET_ADMIN', async () => {
    const { seen } = await probe(['--profile', 'netadmin', nonRoot.address]);
    expect(seen).toMatchObject({ uid: 0, ...FULL_VIEW });
    expect(has(seen.caps, 'NET_ADMIN') && has(seen.caps, 'SYS_PTRACE')).toBe(true);
  });

  it('sysadmin: privileged, where the engine runs privileged containers here', async () => {
    if (!engine.runsPrivileged) {
      // the engine's own refusal, in one line, and nothing left behind (afterAll)
      expectOneLineError(await run(['--profile', 'sysadmin', rootTarget.address, '--', 'true']), /cannot start the debugger/);
      return;
    }
    const { seen } = await probe(['--profile', 'sysadmin', nonRoot.address]);
    expect(seen).toMatchObject({ uid: 0, ...FULL_VIEW });
    expect(has(seen.caps, 'SYS_ADMIN')).toBe(true);
  });
});
