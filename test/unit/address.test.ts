import { describe, expect, it } from 'vitest';
import { formatAddress, parseAddress } from '../../src/runtimes/address.js';
import { UserError } from '../../src/errors.js';

describe('parseAddress', () => {
  it.each([
    ['my-app', { name: 'my-app' }],
    ['4f2a9c', { name: '4f2a9c' }],
    ['docker://my-app', { engine: 'docker', name: 'my-app' }],
    ['podman://api', { engine: 'podman', name: 'api' }],
    ['containerd://k8s.io/3f9a1c', { engine: 'containerd', namespace: 'k8s.io', name: '3f9a1c' }],
    ['containerd://3f9a1c', { engine: 'containerd', name: '3f9a1c' }],
    ['nerdctl://web', { engine: 'nerdctl', name: 'web' }],
    ['k8s://shop/api-7d9f', { engine: 'kubernetes', namespace: 'shop', name: 'api-7d9f' }],
    ['k8s://shop/api-7d9f/app', { engine: 'kubernetes', namespace: 'shop', name: 'api-7d9f', container: 'app' }],
    ['k8s://api-7d9f', { engine: 'kubernetes', name: 'api-7d9f' }],
    ['pod/api-7d9f', { engine: 'kubernetes', name: 'api-7d9f' }],
    ['pod/api-7d9f/app', { engine: 'kubernetes', name: 'api-7d9f', container: 'app' }],
  ])('parses %s', (raw, expected) => {
    expect(parseAddress(raw)).toMatchObject({ ...expected, raw });
  });

  it.each(['', 'docker://', 'foo://x', 'a/b', 'bad name', '$(id)', 'docker://a/b', 'k8s://a/b/c/d', 'k8s://Shop/x', 'pod/'])(
    'rejects %j with a hint',
    (raw) => {
      expect(() => parseAddress(raw)).toThrow(UserError);
      try {
        parseAddress(raw);
      } catch (e) {
        expect((e as UserError).line).toMatch(/^malformed target address .*: use NAME/);
      }
    },
  );

  it('formats canonical addresses', () => {
    expect(formatAddress('docker', 'web')).toBe('docker://web');
    expect(formatAddress('kubernetes', 'api', 'shop')).toBe('k8s://shop/api');
  });
});
