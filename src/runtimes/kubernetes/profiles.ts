/**
 * Debugging profiles with kubectl debug's meanings, as small appliers over a security context.
 * Pure: unit-tested without a cluster.
 *   general     SYS_PTRACE, so a debugger reaches the processes (and files) of any user
 *   baseline    passes Pod Security "baseline": no added capabilities beyond the allowed set
 *   restricted  passes Pod Security "restricted": non-root, no privilege escalation, ALL dropped, RuntimeDefault seccomp
 *   netadmin    general + NET_ADMIN and NET_RAW
 *   sysadmin    privileged
 */
import { UserError } from '../../errors.js';

export const PROFILES = ['general', 'baseline', 'restricted', 'netadmin', 'sysadmin'] as const;
export type Profile = (typeof PROFILES)[number];

export interface SecurityContext {
  privileged?: boolean;
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  allowPrivilegeEscalation?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
  seccompProfile?: { type: string };
}

export interface ProfileInput {
  /** capabilities the user asked for (--cap-add) */
  capAdd: string[];
  privileged: boolean;
  /** the target's uid and gid, when its security context says */
  targetUser?: number;
  targetGroup?: number;
}

// Capabilities Pod Security "baseline" lets a container add.
const BASELINE_CAPS = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);
// The uid a restricted debugger runs as when the target runs as root (it must not be root).
const NOBODY = 65534;

const addCaps = (sc: SecurityContext, caps: string[]): SecurityContext => {
  const add = [...new Set([...(sc.capabilities?.add ?? []), ...caps])];
  return add.length ? { ...sc, capabilities: { ...sc.capabilities, add } } : sc;
};

export function parseProfile(name: string | undefined): Profile {
  const profile = (name ?? 'general') as Profile;
  if (!PROFILES.includes(profile)) {
    throw new UserError(`unknown --profile "${name}"`, { hint: `use one of ${PROFILES.join(', ')}` });
  }
  return profile;
}

export function applyProfile(profile: Profile, input: ProfileInput): SecurityContext {
  const userCaps = input.capAdd.filter((c) => c !== 'SYS_PTRACE');
  switch (profile) {
    case 'general':
      return addCaps({ privileged: input.privileged || undefined }, ['SYS_PTRACE', ...userCaps]);
    case 'netadmin':
      return addCaps({ privileged: input.privileged || undefined }, ['SYS_PTRACE', 'NET_ADMIN', 'NET_RAW', ...userCaps]);
    case 'sysadmin':
      return { privileged: true };
    case 'baseline': {
      const refused = userCaps.filter((c) => !BASELINE_CAPS.has(c));
      if (refused.length || input.privileged) {
        throw new UserError(`--profile baseline cannot add ${input.privileged ? '--privileged' : refused.join(', ')}`, {
          hint: 'use --profile general, netadmin or sysadmin',
        });
      }
      return addCaps({}, userCaps);
    }
    case 'restricted': {
      if (userCaps.length || input.privileged) {
        throw new UserError('--profile restricted cannot add capabilities or run privileged', { hint: 'drop --cap-add/--privileged, or use another profile' });
      }
      // Running as the target's own user keeps its files and processes reachable without capabilities.
      const user = input.targetUser && input.targetUser !== 0 ? input.targetUser : NOBODY;
      return {
        runAsNonRoot: true,
        runAsUser: user,
        runAsGroup: input.targetGroup && input.targetGroup !== 0 ? input.targetGroup : user,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      };
    }
  }
}
