/**
 * kubectl debug's profiles as appliers over the engine-neutral security section, then each engine's
 * translation. One table row per profile × mode: the table reads as the documentation.
 */
import { describe, expect, it } from 'vitest';
import { ctrSecurityFlags } from '../../src/runtimes/containerd/security.js';
import { dockerSecurity } from '../../src/runtimes/docker/security.js';
import { podSecurityContext, profileFor, runAsOf } from '../../src/runtimes/kubernetes/security.js';
import { applyProfile, numericUser, parseProfile, profileLimits, type Profile, type ProfileInput, type Security } from '../../src/runtimes/security.js';

const plain: ProfileInput = { capAdd: [], privileged: false };
const capAdd: ProfileInput = { capAdd: ['NET_BIND_SERVICE', 'SYS_ADMIN'], privileged: false };
const baselineCap: ProfileInput = { capAdd: ['NET_BIND_SERVICE'], privileged: false };
const privileged: ProfileInput = { capAdd: [], privileged: true };
const nonRootTarget: ProfileInput = { capAdd: [], privileged: false, targetUser: { uid: 65532, gid: 65532 } };

const root = { uid: 0, gid: 0 };
const sec = (profile: Profile, rest: Partial<Security>): Security => ({ profile, capAdd: [], capDrop: [], privileged: false, ...rest });
const restrictedAs = (uid: number) => sec('restricted', { user: { uid, gid: uid }, capDrop: ['ALL'], noNewPrivileges: true, seccomp: 'RuntimeDefault' });

// profile, mode, input, the security section or the error
const TABLE: Array<[Profile, string, ProfileInput, Security | RegExp]> = [
  ['general', 'plain', plain, sec('general', { user: root, capAdd: ['SYS_PTRACE'] })],
  ['general', '--cap-add', capAdd, sec('general', { user: root, capAdd: ['SYS_PTRACE', 'NET_BIND_SERVICE', 'SYS_ADMIN'] })],
  ['general', '--privileged', privileged, sec('general', { user: root, capAdd: ['SYS_PTRACE'], privileged: true })],
  ['general', 'non-root target', nonRootTarget, sec('general', { user: root, capAdd: ['SYS_PTRACE'] })],
  ['baseline', 'plain', plain, sec('baseline', {})],
  ['baseline', '--cap-add allowed by baseline', baselineCap, sec('baseline', { capAdd: ['NET_BIND_SERVICE'] })],
  ['baseline', '--cap-add beyond baseline', capAdd, /--profile baseline cannot take --cap-add SYS_ADMIN/],
  ['baseline', '--privileged', privileged, /--profile baseline cannot take --privileged/],
  ['baseline', 'non-root target', nonRootTarget, sec('baseline', {})],
  ['restricted', 'plain (root or unknown target: nobody)', plain, restrictedAs(65534)],
  ['restricted', '--cap-add', baselineCap, /--profile restricted cannot take --cap-add NET_BIND_SERVICE/],
  ['restricted', '--privileged', privileged, /--profile restricted cannot take --privileged/],
  ['restricted', "non-root target: the target's user", nonRootTarget, restrictedAs(65532)],
  ['netadmin', 'plain', plain, sec('netadmin', { user: root, capAdd: ['SYS_PTRACE', 'NET_ADMIN', 'NET_RAW'] })],
  ['netadmin', '--cap-add', capAdd, sec('netadmin', { user: root, capAdd: ['SYS_PTRACE', 'NET_ADMIN', 'NET_RAW', 'NET_BIND_SERVICE', 'SYS_ADMIN'] })],
  ['netadmin', '--privileged', privileged, sec('netadmin', { user: root, capAdd: ['SYS_PTRACE', 'NET_ADMIN', 'NET_RAW'], privileged: true })],
  ['netadmin', 'non-root target', nonRootTarget, sec('netadmin', { user: root, capAdd: ['SYS_PTRACE', 'NET_ADMIN', 'NET_RAW'] })],
  ['sysadmin', 'plain', plain, sec('sysadmin', { user: root, privileged: true })],
  ['sysadmin', '--cap-add (privileged has them all)', capAdd, sec('sysadmin', { user: root, privileged: true })],
  ['sysadmin', '--privileged', privileged, sec('sysadmin', { user: root, privileged: true })],
  ['sysadmin', 'non-root target', nonRootTarget, sec('sysadmin', { user: root, privileged: true })],
];

describe('profiles', () => {
  it.each(TABLE)('%s, %s', (profile, _mode, input, expected) => {
    if (expected instanceof RegExp) expect(() => applyProfile(profile, input)).toThrow(expected);
    else expect(applyProfile(profile, input)).toEqual(expected);
  });

  it('defaults to general and refuses unknown names', () => {
    expect(parseProfile(undefined)).toBe('general');
    expect(() => parseProfile('admin')).toThrow(/unknown --profile "admin"/);
  });

  it("reads only a numeric target user", () => {
    expect(numericUser('65532')).toEqual({ uid: 65532, gid: 65532 });
    expect(numericUser('1000:2000')).toEqual({ uid: 1000, gid: 2000 });
    expect(numericUser('nonroot')).toBeUndefined();
    expect(numericUser('')).toBeUndefined();
  });

  it('gives the entry script the reason baseline and restricted may have less than the full view', () => {
    expect(profileLimits(restrictedAs(65532))).toBe('--profile restricted runs the debugger as uid 65532 with no capabilities (Pod Security "restricted")');
    expect(profileLimits(sec('baseline', {}))).toBe('--profile baseline adds no capabilities (Pod Security "baseline")');
    expect(profileLimits(applyProfile('general', plain))).toBeUndefined();
  });
});

// Each engine's translation of every profile (plain mode, a non-root target).
const ALL = (['general', 'baseline', 'restricted', 'netadmin', 'sysadmin'] as const).map((p) => [p, applyProfile(p, nonRootTarget)] as const);

describe('Docker and Podman translation', () => {
  const expected: Record<Profile, ReturnType<typeof dockerSecurity>> = {
    general: { User: '0:0', HostConfig: { CapAdd: ['SYS_PTRACE'], Privileged: false } },
    baseline: { HostConfig: { CapAdd: [], Privileged: false } },
    restricted: { User: '65532:65532', HostConfig: { CapAdd: [], CapDrop: ['ALL'], Privileged: false, SecurityOpt: ['no-new-privileges'] } },
    netadmin: { User: '0:0', HostConfig: { CapAdd: ['SYS_PTRACE', 'NET_ADMIN', 'NET_RAW'], Privileged: false } },
    sysadmin: { User: '0:0', HostConfig: { CapAdd: [], Privileged: true } },
  };
  it.each(ALL)('%s', (profile, security) => expect(dockerSecurity(security)).toEqual(expected[profile]));
});

describe('ctr translation', () => {
  const expected: Record<Profile, string[]> = {
    general: ['--cap-add=CAP_SYS_PTRACE'],
    baseline: [],
    // ctr has no --user: the entry script switches, keeping SETUID/SETGID until then
    restricted: [
      '--env=SIDEKICK_RUN_AS=65532:65532',
      ...['CHOWN', 'DAC_OVERRIDE', 'FSETID', 'FOWNER', 'MKNOD', 'NET_RAW', 'SETFCAP', 'SETPCAP', 'NET_BIND_SERVICE', 'SYS_CHROOT', 'KILL', 'AUDIT_WRITE'].map((c) => `--cap-drop=CAP_${c}`),
      '--seccomp=true',
    ],
    netadmin: ['--cap-add=CAP_SYS_PTRACE', '--cap-add=CAP_NET_ADMIN', '--cap-add=CAP_NET_RAW'],
    sysadmin: ['--privileged=true'],
  };
  it.each(ALL)('%s', (profile, security) => expect(ctrSecurityFlags(security)).toEqual(expected[profile]));
  it('turns ctr\'s default no-new-privileges off only when asked', () => {
    expect(ctrSecurityFlags({ ...sec('general', {}), noNewPrivileges: false })).toEqual(['--allow-new-privs=true']);
  });
});

describe('Kubernetes translation', () => {
  const expected: Record<Profile, object> = {
    // root at the container level overrides a pod's runAsNonRoot/runAsUser: the full view
    general: { runAsUser: 0, runAsGroup: 0, runAsNonRoot: false, capabilities: { add: ['SYS_PTRACE'] } },
    baseline: {},
    restricted: {
      runAsUser: 65532,
      runAsGroup: 65532,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      allowPrivilegeEscalation: false,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    netadmin: { runAsUser: 0, runAsGroup: 0, runAsNonRoot: false, capabilities: { add: ['SYS_PTRACE', 'NET_ADMIN', 'NET_RAW'] } },
    sysadmin: { runAsUser: 0, runAsGroup: 0, runAsNonRoot: false, privileged: true },
  };
  it.each(ALL)('%s', (profile, security) => expect(podSecurityContext(security)).toEqual(expected[profile]));

  it("reads the target's user from its container, then from the pod", () => {
    const pod = { spec: { securityContext: { runAsUser: 1000, runAsGroup: 2000 }, containers: [{ name: 'app' }, { name: 'own', securityContext: { runAsUser: 3000 } }] } };
    expect(runAsOf(pod, 'app')).toBe('1000:2000');
    expect(runAsOf(pod, 'own')).toBe('3000:2000');
    expect(runAsOf({ spec: { containers: [{ name: 'app' }] } }, 'app')).toBeUndefined();
  });

  it.each([
    ['general', 'restricted', 'restricted'],
    ['general', 'baseline', 'baseline'],
    ['sysadmin', 'baseline', 'baseline'],
    ['baseline', 'restricted', 'restricted'],
    ['restricted', 'restricted', undefined],
  ] as const)('names the profile that passes: %s refused by "%s" -> %s', (tried, level, passes) => {
    const denial = `pods "web" is forbidden: violates PodSecurity "${level}:latest": allowPrivilegeEscalation != false`;
    expect(profileFor(denial, tried)).toBe(passes);
  });
});
