/**
 * The debugger's security, engine-neutral: who it runs as, its capabilities, privileged or not,
 * no-new-privileges, seccomp. kubectl debug's profiles are short lists of named steps over it; each
 * engine translates the result (docker/security.ts, containerd/security.ts, kubernetes/security.ts).
 * Pure: unit-tested without an engine.
 *
 *   general     root, SYS_PTRACE: the target's filesystem at / and its processes, whatever user it runs as
 *   baseline    passes Pod Security "baseline": nothing added beyond the engine's defaults (no SYS_PTRACE)
 *   restricted  passes Pod Security "restricted": the target's user (never root), every capability
 *               dropped, no privilege escalation, the runtime's default seccomp
 *   netadmin    general + NET_ADMIN and NET_RAW
 *   sysadmin    root, privileged
 *
 * --cap-add and --privileged add to general and netadmin; sysadmin is privileged already; baseline
 * takes only capabilities Pod Security "baseline" allows and no --privileged; restricted takes neither.
 */
import { UserError } from '../errors.js';

export const PROFILES = ['general', 'baseline', 'restricted', 'netadmin', 'sysadmin'] as const;
export type Profile = (typeof PROFILES)[number];

export interface UserIds {
  uid: number;
  gid: number;
}

export interface Security {
  /** the profile that made this, for messages */
  profile: Profile;
  /** who the debugger runs as; undefined: whoever its image says */
  user?: UserIds;
  capAdd: string[];
  /** "ALL" or capability names, without CAP_ */
  capDrop: string[];
  privileged: boolean;
  /** undefined: the engine's default */
  noNewPrivileges?: boolean;
  /** undefined: the engine's default */
  seccomp?: 'RuntimeDefault';
}

export interface ProfileInput {
  /** capabilities the user asked for (--cap-add), normalized, without CAP_ */
  capAdd: string[];
  privileged: boolean;
  /** the user the target runs as, when its engine says (numerically) */
  targetUser?: UserIds;
}

type Step = (s: Security, input: ProfileInput) => Security;

// Capabilities Pod Security "baseline" lets a container add.
const BASELINE_CAPS = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);
export const ROOT: UserIds = { uid: 0, gid: 0 };
// Who a restricted debugger runs as when the target's user is root or unknown (it must not be root).
export const NOBODY: UserIds = { uid: 65534, gid: 65534 };

const addCaps = (s: Security, caps: readonly string[]): Security => ({ ...s, capAdd: [...new Set([...s.capAdd, ...caps])] });

// --- the steps, one purpose each ---

/** root in the container (overriding a pod's runAsNonRoot): chroot into the target, any user's files */
const runAsRoot: Step = (s) => ({ ...s, user: ROOT });
/** reach /proc/PID/root and the processes of a target that runs as another user */
const allowProcessTracing: Step = (s) => addCaps(s, ['SYS_PTRACE']);
const allowNetAdmin: Step = (s) => addCaps(s, ['NET_ADMIN', 'NET_RAW']);
const addRequestedCaps: Step = (s, input) => addCaps(s, input.capAdd);
const allowRequestedPrivileged: Step = (s, input) => ({ ...s, privileged: s.privileged || input.privileged });
const setPrivileged: Step = (s) => ({ ...s, privileged: true });
/** the target's own user keeps its files and processes reachable without capabilities */
const disallowRoot: Step = (s, input) => ({ ...s, user: input.targetUser && input.targetUser.uid !== 0 ? input.targetUser : NOBODY });
const dropCapabilities: Step = (s) => ({ ...s, capAdd: [], capDrop: ['ALL'] });
const disallowPrivilegeEscalation: Step = (s) => ({ ...s, noNewPrivileges: true });
const setSeccompProfile: Step = (s) => ({ ...s, seccomp: 'RuntimeDefault' });

const refuse = (profile: Profile, allowed: (cap: string) => boolean, hint: string): Step => (s, input) => {
  const refused = input.capAdd.filter((c) => !allowed(c));
  if (input.privileged || refused.length) {
    const what = input.privileged ? '--privileged' : refused.map((c) => `--cap-add ${c}`).join(', ');
    throw new UserError(`--profile ${profile} cannot take ${what}`, { hint });
  }
  return s;
};
const onlyBaselineCaps = refuse('baseline', (c) => BASELINE_CAPS.has(c), 'use --profile general, netadmin or sysadmin');
const noAdditions = refuse('restricted', () => false, 'drop --cap-add/--privileged, or use another profile');

const STEPS: Record<Profile, Step[]> = {
  general: [runAsRoot, allowProcessTracing, addRequestedCaps, allowRequestedPrivileged],
  baseline: [onlyBaselineCaps, addRequestedCaps],
  restricted: [noAdditions, disallowRoot, dropCapabilities, disallowPrivilegeEscalation, setSeccompProfile],
  netadmin: [runAsRoot, allowProcessTracing, allowNetAdmin, addRequestedCaps, allowRequestedPrivileged],
  sysadmin: [runAsRoot, setPrivileged],
};

export function parseProfile(name: string | undefined): Profile {
  const profile = (name ?? 'general') as Profile;
  if (!PROFILES.includes(profile)) {
    throw new UserError(`unknown --profile "${name}"`, { hint: `use one of ${PROFILES.join(', ')}` });
  }
  return profile;
}

export function applyProfile(profile: Profile, input: ProfileInput): Security {
  const start: Security = { profile, capAdd: [], capDrop: [], privileged: false };
  return STEPS[profile].reduce((s, step) => step(s, input), start);
}

/** A numeric uid[:gid] (as engines record a target's user); names and an empty value are unknown. */
export function numericUser(user: string | undefined): UserIds | undefined {
  const m = /^(\d+)(?::(\d+))?$/.exec(user ?? '');
  return m ? { uid: Number(m[1]), gid: Number(m[2] ?? m[1]) } : undefined;
}

/**
 * Why a debugger of this profile may have less than the full view; the entry script says it, with
 * what that costs, when it does. Undefined for the profiles with the full view.
 */
export function profileLimits(s: Security): string | undefined {
  if (s.profile === 'restricted') return `--profile restricted runs the debugger as uid ${s.user?.uid} with no capabilities (Pod Security "restricted")`;
  if (s.profile === 'baseline') return '--profile baseline adds no capabilities (Pod Security "baseline")';
  return undefined;
}
