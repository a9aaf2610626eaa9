/** copyMounts: a stopped container's mounts, given again to its copy (Docker, Podman). */
import { describe, expect, it } from 'vitest';
import { copyMounts } from '../../src/runtimes/docker/copy-mounts.js';

describe('copyMounts', () => {
  it('binds and named volumes read-only, tmpfs fresh, --tmpfs kept; a gone bind source and other types left out and named', () => {
    const r = copyMounts(
      [
        { Type: 'bind', Source: '/srv/conf', Destination: '/etc/app' },
        { Type: 'bind', Source: '/gone', Destination: '/old' },
        { Type: 'volume', Name: 'data', Source: '/var/lib/docker/volumes/data/_data', Destination: '/data' },
        { Type: 'tmpfs', Destination: '/run/app' },
        { Type: 'npipe', Destination: '/pipe' },
        { Type: 'bind', Source: '/x' },
      ],
      { '/scratch': 'size=1m' },
      (path) => path !== '/gone',
    );
    expect(r.Mounts).toEqual([
      { Type: 'bind', Source: '/srv/conf', Target: '/etc/app', ReadOnly: true },
      { Type: 'volume', Source: 'data', Target: '/data', ReadOnly: true },
      { Type: 'tmpfs', Source: '', Target: '/run/app' },
    ]);
    expect(r.Tmpfs).toEqual({ '/scratch': 'size=1m' });
    expect(r.skipped).toEqual(['/old: its bind source /gone is gone', '/pipe: a npipe mount']);
  });

  it('gives nothing for a container that had nothing mounted', () => {
    expect(copyMounts(undefined, undefined, () => true)).toEqual({ Mounts: [], skipped: [] });
    expect(copyMounts([], {}, () => true).Tmpfs).toBeUndefined();
  });
});
