import { describe, expect, it } from 'vitest';
import { copyRequest } from '../../src/commands/exec-copy.js';
import { parseAddress } from '../../src/runtimes/address.js';

const ask = (flags: Parameters<typeof copyRequest>[0], target: string) => copyRequest(flags, target, parseAddress(target), 'me@host:1');

describe('exec --copy flags', () => {
  it('asks the engine for a copy with --copy, or with --copy-to alone', () => {
    expect(ask({}, 'pod/api')).toBeUndefined();
    expect(ask({ copy: true }, 'k8s://shop/api/app')).toEqual({ name: undefined, keep: false, owner: 'me@host:1' });
    expect(ask({ copyTo: 'api-debug', keep: true }, 'pod/api')).toEqual({ name: 'api-debug', keep: true, owner: 'me@host:1' });
  });

  it('refuses --keep alone, and --copy on another engine or an image', () => {
    expect(() => ask({ keep: true }, 'pod/api')).toThrow(/--keep keeps the copy that --copy makes/);
    expect(() => ask({ copy: true }, 'docker://api')).toThrow(/--copy copies a Kubernetes pod, and docker:\/\/api is not one/);
    expect(() => copyRequest({ copy: true }, 'image://busybox', undefined, 'me')).toThrow(/is not one/);
  });
});
