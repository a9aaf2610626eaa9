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

  it.each([
    ['deploy/web', { kind: 'deployment', name: 'web', typed: 'deploy/web' }, {}],
    ['deployment/web/app', { kind: 'deployment', name: 'web' }, { container: 'app' }],
    ['sts/db', { kind: 'statefulset', name: 'db' }, {}],
    ['statefulset/db', { kind: 'statefulset', name: 'db' }, {}],
    ['ds/agent', { kind: 'daemonset', name: 'agent' }, {}],
    ['rs/web-7d9c', { kind: 'replicaset', name: 'web-7d9c' }, {}],
    ['job/batch', { kind: 'job', name: 'batch' }, {}],
    ['svc/api', { kind: 'service', name: 'api', typed: 'svc/api' }, {}],
    ['k8s://shop/deploy/web', { kind: 'deployment', name: 'web', typed: 'deploy/web' }, { namespace: 'shop' }],
    ['k8s://shop/svc/api/app', { kind: 'service', name: 'api' }, { namespace: 'shop', container: 'app' }],
  ])('parses the workload address %s', (raw, workload, rest) => {
    expect(parseAddress(raw)).toMatchObject({ engine: 'kubernetes', name: workload.name, workload, ...rest, raw });
  });

  it.each(['node/sidekick-node', 'k8s://node/sidekick-node', 'nodes/sidekick-node'])('parses the node address %s', (raw) => {
    expect(parseAddress(raw)).toMatchObject({ engine: 'kubernetes', node: true, name: 'sidekick-node', raw });
  });

  it('keeps k8s://NS/POD/CONTAINER when the middle part is no kind', () => {
    const address = parseAddress('k8s://shop/api/app');
    expect(address).toMatchObject({ namespace: 'shop', name: 'api', container: 'app' });
    expect(address.workload).toBeUndefined();
  });

  it.each([
    ['d/web', /ambiguous workload kind "d" .*\(daemonset or deployment\)/],
    ['s/web', /ambiguous workload kind "s" .*\(service or statefulset\)/],
    ['statef/web', /unknown workload kind "statef"/],
    ['deploy/', /malformed.*deployment name is empty/],
    ['deploy/web/app/x', /malformed.*too many parts/],
    ['k8s://shop/deploy/web/app/x', /malformed.*too many parts/],
  ])('refuses %s in one line', (raw, message) => {
    expect(() => parseAddress(raw)).toThrow(message);
  });

  it('formats canonical addresses', () => {
    expect(formatAddress('docker', 'web')).toBe('docker://web');
    expect(formatAddress('kubernetes', 'api', 'shop')).toBe('k8s://shop/api');
  });
});
