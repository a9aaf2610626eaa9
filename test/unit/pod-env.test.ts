import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { expand, podContainerConfig, podField, type EnvSources } from '../../src/runtimes/kubernetes/pod-env.js';

const pod: V1Pod = {
  metadata: { name: 'web', namespace: 'shop', uid: 'u-1', labels: { app: 'web' }, annotations: { 'a/b': 'x' } },
  spec: { containers: [], nodeName: 'node1', serviceAccountName: 'sa', securityContext: { runAsUser: 1000 } },
  status: { podIP: '10.0.0.5', podIPs: [{ ip: '10.0.0.5' }, { ip: 'fd00::5' }], hostIP: '192.168.1.2' },
};

/** The cluster's objects, as the CLI's credentials see them: the secret "locked" is refused. */
const sources: EnvSources = {
  configMap: async (name) => {
    if (name === 'settings') return { MODE: 'prod', 'bad-key': 'x' };
    throw new Error(`no configmap ${name}`);
  },
  secret: async (name) => {
    if (name === 'db') return { password: 's3cret\n' };
    throw new Error('these credentials may not get secrets in shop');
  },
};

describe('expand', () => {
  it('expands $(VAR) of earlier variables as the kubelet does, and $$ to $', () => {
    const vars = new Map([['A', 'x'], ['EMPTY', '']]);
    expect(expand('$(A)/$(EMPTY)/$(NOPE)/$$(A)/$ alone/$(A', vars)).toBe('x//$(NOPE)/$(A)/$ alone/$(A');
  });
});

describe('podField', () => {
  it('answers the downward API fields', () => {
    expect(podField(pod, 'metadata.name')).toBe('web');
    expect(podField(pod, "metadata.labels['app']")).toBe('web');
    expect(podField(pod, "metadata.annotations['a/b']")).toBe('x');
    expect(podField(pod, 'status.podIPs')).toBe('10.0.0.5,fd00::5');
    expect(podField(pod, 'spec.nodeName')).toBe('node1');
    expect(() => podField(pod, 'spec.unknown')).toThrow(/not resolved/);
  });
});

describe('podContainerConfig', () => {
  it('builds the environment in the kubelet order and lists what it could not read', async () => {
    const container: V1Container = {
      name: 'app',
      envFrom: [{ configMapRef: { name: 'settings' }, prefix: 'CFG_' }, { secretRef: { name: 'locked' } }, { configMapRef: { name: 'gone', optional: true } }],
      env: [
        { name: 'CFG_MODE', value: 'override' },
        { name: 'URL', value: 'http://$(POD_IP):8080' },
        { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'URL2', value: 'http://$(POD_IP):8080' },
        { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
        { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'locked', key: 'token' } } },
        { name: 'OPT', valueFrom: { configMapKeyRef: { name: 'settings', key: 'missing', optional: true } } },
        { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
      ],
      workingDir: '/srv',
      args: ['--port', '8080'],
    };
    const config = await podContainerConfig(pod, container, sources);
    expect(config.env).toEqual([
      'CFG_MODE=override',
      'CFG_bad-key=x',
      'URL=http://$(POD_IP):8080',
      'POD_IP=10.0.0.5',
      'URL2=http://10.0.0.5:8080',
      'DB_PASSWORD=s3cret\n',
    ]);
    expect(config.user).toBe('1000');
    expect(config.workdir).toBe('/srv');
    expect(config.command).toBeUndefined();
    expect(config.unknown.join('\n')).toMatch(/envFrom secret locked \(these credentials may not get secrets/);
    expect(config.unknown.join('\n')).toMatch(/env TOKEN \(these credentials may not/);
    expect(config.unknown.join('\n')).toMatch(/env CPU \(resourceFieldRef limits.cpu is not resolved\)/);
    expect(config.unknown.join('\n')).toMatch(/ENTRYPOINT\/CMD/);
    expect(config.unknown.join('\n')).not.toMatch(/gone|OPT/);
  });
  it('knows the whole command line when the pod spec sets the command', async () => {
    const config = await podContainerConfig(pod, { name: 'app', command: ['/app/server'], args: ['-v'] }, sources);
    expect(config.command).toEqual(['/app/server', '-v']);
  });
});
