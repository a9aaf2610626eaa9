import { describe, expect, it } from 'vitest';
import { copyCleanup, copyNames, copyRunArgs, snapshotLayers } from '../../src/runtimes/containerd/copy.js';
import { exitStatusOf, getRequest, protoFields } from '../../src/runtimes/containerd/task-status.js';
import type { Ctr } from '../../src/runtimes/containerd/ctr.js';
import type { DebuggerSpec } from '../../src/runtimes/runtime.js';

const S = '/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots';

describe('a stopped containerd container as layers of a copy', () => {
  it('reads an overlay mount: the writable layer first, then the image layers', () => {
    const text = `mount -t overlay overlay /x -o index=off,workdir=${S}/9/work,upperdir=${S}/9/fs,lowerdir=${S}/7/fs:${S}/6/fs\n`;
    expect(snapshotLayers(text)).toEqual([`${S}/9/fs`, `${S}/7/fs`, `${S}/6/fs`]);
  });

  it('reads a snapshot with no parent (a bind of its own directory)', () => {
    expect(snapshotLayers(`mount -t bind ${S}/3/fs /x -o rbind,rw\n`)).toEqual([`${S}/3/fs`]);
  });

  it('refuses a mount it does not know', () => {
    expect(snapshotLayers('mount -t btrfs /dev/sdb /x -o subvol=3\n')).toBeUndefined();
  });

  it('names everything after the debugger, and the reaper removes the debugger before the copy', () => {
    const spec = { name: 'sidekick-app-1a2b3c' } as DebuggerSpec;
    const n = copyNames(spec);
    expect(n.snapshot).toBe('sidekick-copy-sidekick-app-1a2b3c');
    const recipe = copyCleanup({ file: '/usr/bin/ctr', socket: '/run/containerd/containerd.sock' } as Ctr, 'default', 'overlayfs', spec);
    expect(recipe.kind).toBe('exec');
    if (recipe.kind !== 'exec') return;
    const script = recipe.args[1]!;
    expect(script.indexOf('containers rm')).toBeLessThan(script.indexOf('umount'));
    expect(script.indexOf('umount')).toBeLessThan(script.indexOf('rm -rf'));
    expect(recipe.args.slice(2)).toEqual(['/usr/bin/ctr', '/run/containerd/containerd.sock', 'default', spec.name, n.dir, n.snapshot, 'overlayfs']);
  });

  it('shows the copy with a read-only procfs and harmless devices only', () => {
    const { options, env } = copyRunArgs('/tmp/x/root');
    expect(env).toEqual({ SIDEKICK_TARGET_ROOT: '/.sidekick/root' });
    expect(options.find((o) => o.includes('type=proc'))).toMatch(/options=ro:/);
    expect(options.filter((o) => o.includes('src=/dev/')).map((o) => /src=\/dev\/(\w+)/.exec(o)![1])).toEqual(['null', 'zero', 'full', 'random', 'urandom', 'tty']);
  });
});

describe("containerd's Tasks.Get in protobuf", () => {
  it('frames a GetRequest', () => {
    expect(getRequest('ab').toString('hex')).toBe('00000000040a026162');
  });

  it('reads exit_status from a GetResponse', () => {
    // Process{container_id="c", pid=300, status=STOPPED(3), exit_status=3}
    const process = Buffer.from([0x0a, 1, 0x63, 0x18, 0xac, 0x02, 0x20, 3, 0x48, 3]);
    const message = Buffer.concat([Buffer.from([0x0a, process.length]), process]);
    const frame = Buffer.alloc(5);
    frame.writeUInt32BE(message.length, 1);
    expect(protoFields(process).get(3)).toBe(300);
    expect(exitStatusOf(Buffer.concat([frame, message]))).toBe(3);
  });
});
