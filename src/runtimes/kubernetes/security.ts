/**
 * The debugger's security (src/runtimes/security.ts) as an ephemeral container's securityContext.
 * Its user is set at the container level, so it overrides a pod-level runAsUser/runAsNonRoot: a
 * non-root process gets no effective capabilities (not even privileged), so only root chroots into
 * the target and reaches every user's files.
 */
import type { V1Pod, V1SecurityContext } from '@kubernetes/client-node';
import type { Profile, Security } from '../security.js';

export function podSecurityContext(s: Security): V1SecurityContext {
  const sc: V1SecurityContext = {};
  if (s.user) {
    sc.runAsUser = s.user.uid;
    sc.runAsGroup = s.user.gid;
    sc.runAsNonRoot = s.user.uid !== 0;
  }
  if (s.privileged) sc.privileged = true;
  if (s.capAdd.length || s.capDrop.length) {
    sc.capabilities = { ...(s.capAdd.length ? { add: s.capAdd } : {}), ...(s.capDrop.length ? { drop: s.capDrop } : {}) };
  }
  if (s.noNewPrivileges !== undefined) sc.allowPrivilegeEscalation = !s.noNewPrivileges;
  if (s.seccomp) sc.seccompProfile = { type: s.seccomp };
  return sc;
}

/** The profile that passes a Pod Security level named in an admission denial, when there is one. */
export function profileFor(denial: string, tried: Profile): Profile | undefined {
  const level = /PodSecurity "(privileged|baseline|restricted)/.exec(denial)?.[1];
  if (level === 'baseline') return tried === 'baseline' || tried === 'restricted' ? undefined : 'baseline';
  if (level === 'restricted') return tried === 'restricted' ? undefined : 'restricted';
  return undefined;
}

/** uid[:gid] a pod's container runs as, as its own securityContext or else the pod's says; undefined when neither says. */
export function runAsOf(pod: V1Pod, container: string): string | undefined {
  const own = pod.spec?.containers.find((c) => c.name === container)?.securityContext;
  const uid = own?.runAsUser ?? pod.spec?.securityContext?.runAsUser;
  const gid = own?.runAsGroup ?? pod.spec?.securityContext?.runAsGroup;
  return uid === undefined ? undefined : gid === undefined ? String(uid) : `${uid}:${gid}`;
}
