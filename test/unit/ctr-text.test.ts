import { describe, expect, it } from 'vitest';
import { nameFileMounts, normalizeRef, plainHttpRegistry } from '../../src/runtimes/containerd/ctr-text.js';

describe('normalizeRef', () => {
  it("names images as containerd stores them, Docker's defaults filled in", () => {
    expect(normalizeRef('busybox:musl')).toBe('docker.io/library/busybox:musl');
    expect(normalizeRef('me/app')).toBe('docker.io/me/app:latest');
    expect(normalizeRef('127.0.0.1:5055/sidekick/toolkit:pull-test')).toBe('127.0.0.1:5055/sidekick/toolkit:pull-test');
    expect(normalizeRef('localhost/app@sha256:abc')).toBe('localhost/app@sha256:abc');
  });
});

describe('plainHttpRegistry', () => {
  it('speaks plain HTTP to a registry on the loopback', () => {
    const local = ['127.0.0.1:5055/sidekick/toolkit:pull-test', '127.1.2.3/app', 'localhost:5000/app', 'localhost/app', 'LOCALHOST:5000/app'];
    for (const image of [...local, '[::1]:5000/app', '[::1]/app', '[0:0:0:0:0:0:0:1]:5000/app']) {
      expect(plainHttpRegistry(normalizeRef(image)), image).toBe(true);
    }
  });

  it('keeps HTTPS for every other registry, and for names that only look local', () => {
    // "localhost" alone is an image of Docker Hub's library, "localhost:5000" its tag 5000
    const hub = ['busybox:musl', 'localhost', 'localhost:5000', 'me/localhost', 'docker.io/library/app'];
    const remote = ['128.0.0.1:5000/app', '10.0.0.1:5000/app', '127.0.0.1.nip.io/app', '127.example.com/app', 'localhost.localdomain:5000/app', 'myregistry.localhost/app'];
    for (const image of [...hub, ...remote, '[::2]:5000/app', '[fe80::1]/app']) {
      expect(plainHttpRegistry(normalizeRef(image)), image).toBe(false);
    }
  });
});


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
