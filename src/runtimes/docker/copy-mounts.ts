/**
 * What a stopped container had mounted, given again to its copy (Docker, Podman): its binds and named
 * volumes read-only (they are the original's, and may be shared: the copy must not write to them), its
 * tmpfs mounts fresh and empty (what they held ended with the container). A bind whose source is gone
 * from this machine would fail the copy's creation: it is left out, and named for --debug. Pure.
 */
import type Docker from 'dockerode';

/** A mount as inspect lists it (Docker and Podman's Docker-compatible API). */
export interface InspectMount {
  Type?: string;
  Name?: string;
  Source?: string;
  Destination?: string;
}

export interface CopyMounts {
  Mounts: Docker.MountSettings[];
  /** tmpfs mounts given with --tmpfs (HostConfig.Tmpfs: target -> options) */
  Tmpfs?: Record<string, string>;
  /** what was left out, and why */
  skipped: string[];
}

export function copyMounts(mounts: readonly InspectMount[] = [], tmpfs: Record<string, string> | undefined, sourceExists: (path: string) => boolean): CopyMounts {
  const out: CopyMounts = { Mounts: [], skipped: [] };
  for (const m of mounts) {
    const target = m.Destination;
    if (!target) continue;
    if (m.Type === 'bind' && m.Source) {
      if (sourceExists(m.Source)) out.Mounts.push({ Type: 'bind', Source: m.Source, Target: target, ReadOnly: true });
      else out.skipped.push(`${target}: its bind source ${m.Source} is gone`);
    } else if (m.Type === 'volume' && m.Name) {
      out.Mounts.push({ Type: 'volume', Source: m.Name, Target: target, ReadOnly: true });
    } else if (m.Type === 'tmpfs') {
      out.Mounts.push({ Type: 'tmpfs', Source: '', Target: target });
    } else {
      out.skipped.push(`${target}: a ${m.Type ?? 'unknown'} mount`);
    }
  }
  if (tmpfs && Object.keys(tmpfs).length) out.Tmpfs = { ...tmpfs };
  return out;
}
