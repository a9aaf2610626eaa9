/** The debugger's security (src/runtimes/security.ts) in Docker's API, which Podman's compatible API reads too. */
import type Docker from 'dockerode';
import type { Security } from '../security.js';

type SecurityFields = Pick<Docker.ContainerCreateOptions, 'User'> & {
  HostConfig: Pick<Docker.HostConfig, 'CapAdd' | 'CapDrop' | 'Privileged' | 'SecurityOpt'>;
};

export function dockerSecurity(s: Security): SecurityFields {
  const securityOpt: string[] = [];
  if (s.noNewPrivileges) securityOpt.push('no-new-privileges');
  // RuntimeDefault is what Docker and Podman apply anyway: nothing to say for seccomp.
  return {
    ...(s.user ? { User: `${s.user.uid}:${s.user.gid}` } : {}),
    HostConfig: {
      CapAdd: s.capAdd,
      ...(s.capDrop.length ? { CapDrop: s.capDrop } : {}),
      Privileged: s.privileged,
      ...(securityOpt.length ? { SecurityOpt: securityOpt } : {}),
    },
  };
}
