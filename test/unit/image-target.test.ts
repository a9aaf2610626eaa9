import { describe, expect, it } from 'vitest';
import { imageReference } from '../../src/runtimes/image-target.js';

describe('imageReference', () => {
  it('takes the reference of an image:// address', () => {
    expect(imageReference('image://busybox:musl')).toBe('busybox:musl');
    expect(imageReference('image://127.0.0.1:5055/team/app@sha256:abc')).toBe('127.0.0.1:5055/team/app@sha256:abc');
  });
  it('leaves other addresses alone', () => {
    expect(imageReference('docker://web')).toBeUndefined();
    expect(imageReference('web')).toBeUndefined();
  });
  it('refuses a reference with spaces or shell characters, and an empty one', () => {
    expect(() => imageReference('image://a b')).toThrow(/malformed image address/);
    expect(() => imageReference('image://$(x)')).toThrow(/malformed image address/);
    expect(() => imageReference('image://')).toThrow(/malformed image address/);
  });
});
