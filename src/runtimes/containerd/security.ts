/**
 * The debugger's security (src/runtimes/security.ts) as `ctr run` flags.
 * ctr 1.6 sets no process user (no --user) and turns no-new-privileges on by default. A non-root user
 * is therefore taken by the entry script, first thing (SIDEKICK_RUN_AS): the container keeps only
 * SETUID and SETGID for that, and the switch to a non-root uid clears every capability.
 */
import type { Security } from '../security.js';

// The capabilities ctr gives a container (containerd's default spec), named as ctr wants them.
const CTR_DEFAULT_CAPS = ['CHOWN', 'DAC_OVERRIDE', 'FSETID', 'FOWNER', 'MKNOD', 'NET_RAW', 'SETGID', 'SETUID', 'SETFCAP', 'SETPCAP', 'NET_BIND_SERVICE', 'SYS_CHROOT', 'KILL', 'AUDIT_WRITE'];
const USER_SWITCH_CAPS = ['SETUID', 'SETGID'];

export function ctrSecurityFlags(s: Security): string[] {
  const switchesUser = s.user !== undefined && s.user.uid !== 0;
  // ctr adds before it drops, and --cap-drop=ALL would take the user switch's capabilities too
  const dropAll = s.capDrop.includes('ALL');
  const drop = dropAll ? CTR_DEFAULT_CAPS : s.capDrop;
  const keep = new Set([...s.capAdd, ...(switchesUser ? USER_SWITCH_CAPS : [])]);
  return [
    ...(switchesUser ? [`--env=SIDEKICK_RUN_AS=${s.user!.uid}:${s.user!.gid}`] : []),
    ...s.capAdd.map((cap) => `--cap-add=CAP_${cap}`),
    ...drop.filter((cap) => !keep.has(cap)).map((cap) => `--cap-drop=CAP_${cap}`),
    ...(s.privileged ? ['--privileged=true'] : []),
    ...(s.noNewPrivileges === false ? ['--allow-new-privs=true'] : []),
    ...(s.seccomp === 'RuntimeDefault' ? ['--seccomp=true'] : []),
  ];
}
