import { describe, expect, it } from 'vitest';
import { withDefaultEngine } from '../../src/plugins/default-engine.js';

describe('a bare target under a plugin names the host tool own kind of thing', () => {
  const rows: Array<[string[], 'pod/' | 'docker://', string[]]> = [
    [['exec', 'api'], 'pod/', ['exec', 'pod/api']],
    [['exec', '-n', 'shop', 'api', '--', 'ps'], 'pod/', ['exec', '-n', 'shop', 'pod/api', '--', 'ps']],
    [['exec', '--context', 'prod', '--kubeconfig', '/k', 'api/app'], 'pod/', ['exec', '--context', 'prod', '--kubeconfig', '/k', 'pod/api/app']],
    [['exec', '--namespace=shop', '-i', 'api'], 'pod/', ['exec', '--namespace=shop', '-i', 'pod/api']],
    [['exec', 'pod/api'], 'pod/', ['exec', 'pod/api']],
    [['exec', 'k8s://shop/api'], 'pod/', ['exec', 'k8s://shop/api']],
    [['diagnose', 'api', '--json'], 'pod/', ['diagnose', 'pod/api', '--json']],
    [['exec', 'my-app', '--', 'ls', 'x'], 'docker://', ['exec', 'docker://my-app', '--', 'ls', 'x']],
    [['exec', '-u', '65532', '-e', 'A=1', 'my-app'], 'docker://', ['exec', '-u', '65532', '-e', 'A=1', 'docker://my-app']],
    [['exec', 'podman://my-app'], 'docker://', ['exec', 'podman://my-app']],
    [['port-forward', 'my-app', '8080'], 'docker://', ['port-forward', 'docker://my-app', '8080']],
    // nothing to rewrite
    [['targets'], 'docker://', ['targets']],
    [['exec', '--', 'ps'], 'docker://', ['exec', '--', 'ps']],
    [['--help'], 'pod/', ['--help']],
  ];
  it.each(rows)('%j with %s', (args, prefix, expected) => {
    expect(withDefaultEngine(args, prefix)).toEqual(expected);
  });
});
