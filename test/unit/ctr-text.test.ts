import { describe, expect, it } from 'vitest';
import { nameFileMounts } from '../../src/runtimes/containerd/ctr-text.js';

describe('nameFileMounts', () => {
  const nerdctlHosts = '/var/lib/nerdctl/1935db59/etchosts/default/4f2a/hosts';
  const criResolv = '/var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/9c1e/resolv.conf';

  it("gives the debugger the target's /etc/hosts and /etc/resolv.conf, read-only", () => {
    const mounts = [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/etc/hosts', type: 'bind', source: nerdctlHosts, options: ['bind', 'rprivate'] },
      { destination: '/etc/resolv.conf', type: 'bind', source: criResolv, options: ['rbind', 'ro'] },
      { destination: '/etc/hostname', type: 'bind', source: '/x/hostname', options: ['bind'] },
    ];
    expect(nameFileMounts(mounts)).toEqual([
      { source: nerdctlHosts, option: `--mount=type=bind,src=${nerdctlHosts},dst=/etc/hosts,options=rbind:ro` },
      { source: criResolv, option: `--mount=type=bind,src=${criResolv},dst=/etc/resolv.conf,options=rbind:ro` },
    ]);
  });

  it('takes the last mount on a path, as the target sees it; a bind known by its options only counts', () => {
    const mounts = [
      { destination: '/etc/hosts', type: 'bind', source: '/first/hosts' },
      { destination: '/etc/hosts', type: 'none', source: '/second/hosts', options: ['rbind', 'ro'] },
    ];
    expect(nameFileMounts(mounts).map((m) => m.source)).toEqual(['/second/hosts']);
  });

  it('leaves out what is not a bind of a file on this machine, or that --mount cannot carry', () => {
    expect(nameFileMounts([])).toEqual([]);
    expect(nameFileMounts([{ destination: '/etc/hosts', type: 'tmpfs', source: 'tmpfs' }])).toEqual([]);
    expect(nameFileMounts([{ destination: '/etc/hosts', type: 'bind', source: 'relative/hosts' }])).toEqual([]);
    expect(nameFileMounts([{ destination: '/etc/resolv.conf', type: 'bind', source: '/a,b/resolv.conf' }])).toEqual([]);
  });
});
