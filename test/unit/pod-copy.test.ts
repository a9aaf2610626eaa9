import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { containerTrouble, copyFailure, crashedTargetError, copyInfo, copyName, copyPod, HOLDER_COMMAND, HOLDER_PRELUDE, pendingReason, validPodName } from '../../src/runtimes/kubernetes/pod-copy.js';

const probe = { exec: { command: ['/app/health'] } };
const original: V1Pod = {
  metadata: {
    name: 'api-7d9f',
    namespace: 'shop',
    uid: 'u-1',
    resourceVersion: '42',
    labels: { app: 'api' },
    annotations: { team: 'payments', 'kubectl.kubernetes.io/last-applied-configuration': '{}', 'kubernetes.io/config.mirror': 'h' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'api-7d9', uid: 'rs', controller: true }],
  },
  spec: {
    nodeName: 'worker-1',
    priority: 1000,
    securityContext: { runAsNonRoot: true, runAsUser: 65532 },
    containers: [
      { name: 'app', image: 'shop/api:1', command: ['/app/api'], args: ['--port', '8080'], livenessProbe: probe, readinessProbe: probe, startupProbe: probe, lifecycle: { preStop: { exec: { command: ['x'] } } }, volumeMounts: [{ name: 'cfg', mountPath: '/cfg' }] },
      { name: 'proxy', image: 'envoy', readinessProbe: probe },
    ],
    volumes: [{ name: 'cfg', configMap: { name: 'api' } }],
    ephemeralContainers: [{ name: 'dbg', image: 'busybox' }],
  },
  status: { phase: 'Running' },
};
const plan = { name: 'api-7d9f-sidekick-copy-ab12', keep: false, owner: 'me@host:1' };
const debuggerContainer = { name: 'sidekick-api-1a2b3c', image: 'busybox:musl', imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', HOLDER_PRELUDE, 'sidekick-copy'] };

describe('copy of a pod', () => {
  const copy = copyPod(original, 'app', plan, debuggerContainer);
  const app = copy.spec!.containers.find((c) => c.name === 'app')!;

  it('keeps no label, owner, node, status or debugger of the original; its processes are shared', () => {
    expect(copy.metadata).toEqual({
      name: plan.name,
      namespace: 'shop',
      labels: { 'io.sidekick.pod-copy': 'session' },
      annotations: { team: 'payments', 'io.sidekick.copy-of': 'k8s://shop/api-7d9f/app', 'io.sidekick.owner': 'me@host:1' },
    });
    expect(copy).not.toHaveProperty('status');
    expect(copy.spec).not.toHaveProperty('nodeName');
    expect(copy.spec).not.toHaveProperty('priority');
    expect(copy.spec).not.toHaveProperty('ephemeralContainers');
    expect(copy.spec).toMatchObject({ shareProcessNamespace: true, restartPolicy: 'Never', terminationGracePeriodSeconds: 0, securityContext: { runAsNonRoot: true, runAsUser: 65532 } });
    expect(copyPod(original, 'app', { ...plan, keep: true }, debuggerContainer).metadata?.labels).toEqual({ 'io.sidekick.pod-copy': 'kept' });
    // the API refuses shareProcessNamespace with hostPID, whose namespace is shared anyway
    expect(copyPod({ ...original, spec: { ...original.spec!, hostPID: true } }, 'app', plan, debuggerContainer).spec).not.toHaveProperty('shareProcessNamespace');
  });

  it('holds the target container with the toolkit sleep, its image, mounts and user as they were, no probe or hook', () => {
    expect(app).toMatchObject({ image: 'shop/api:1', command: HOLDER_COMMAND, args: [] });
    expect(app.volumeMounts).toEqual([{ name: 'cfg', mountPath: '/cfg' }, { name: 'sidekick-holder', mountPath: '/.sidekick', readOnly: true }]);
    for (const c of copy.spec!.containers) {
      expect(c.livenessProbe ?? c.readinessProbe ?? c.startupProbe ?? c.lifecycle).toBeUndefined();
    }
    expect(copy.spec!.containers.find((c) => c.name === 'proxy')).toMatchObject({ image: 'envoy' });
    // the debugger last: the kubelet starts containers in order, the holder first
    expect(copy.spec!.containers.map((c) => c.name)).toEqual(['app', 'proxy', 'sidekick-api-1a2b3c']);
    expect(copy.spec!.volumes).toEqual([{ name: 'cfg', configMap: { name: 'api' } }, { name: 'sidekick-holder', emptyDir: {} }]);
  });

  it("fills the holder's volume from the toolkit as a non-root user (Pod Security restricted)", () => {
    const [fill] = copy.spec!.initContainers!;
    expect(fill).toMatchObject({ name: 'sidekick-holder', image: 'busybox:musl', imagePullPolicy: 'IfNotPresent', volumeMounts: [{ name: 'sidekick-holder', mountPath: '/.sidekick' }] });
    expect(fill!.securityContext).toEqual({ runAsUser: 65532, runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
    const rootPod = { ...original, spec: { ...original.spec!, securityContext: {} } };
    expect(copyPod(rootPod, 'app', plan, debuggerContainer).spec!.initContainers![0]!.securityContext?.runAsUser).toBe(65534);
  });

  it('leaves the original object as it was', () => {
    expect(original.spec!.containers[0]!.command).toEqual(['/app/api']);
    expect(original.spec!.nodeName).toBe('worker-1');
  });

  it('is named after the pod, or as given', () => {
    expect(copyName('api-7d9f')).toMatch(/^api-7d9f-sidekick-copy-[0-9a-f]{4}$/);
    expect(copyName('x'.repeat(60)).length).toBeLessThanOrEqual(63);
    expect(copyName('api', 'mine')).toBe('mine');
    expect(validPodName('api-copy.1')).toBe(true);
    expect(validPodName('Api_copy')).toBe(false);
    expect(validPodName('-x')).toBe(false);
  });
});

describe('container trouble', () => {
  it.each([
    [{ name: 'a', image: '', imageID: '', ready: false, restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 3, reason: 'Error' } } }, true, 'in CrashLoopBackOff (exit code 3, 5 restarts)'],
    [{ name: 'a', image: '', imageID: '', ready: false, restartCount: 1, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }, true, 'in CrashLoopBackOff (exit code 137, OOMKilled, 1 restart)'],
    [{ name: 'a', image: '', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 3, reason: 'Error' } } }, true, 'terminated (exit code 3)'],
    [{ name: 'a', image: '', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff' } } }, false, 'in ImagePullBackOff'],
    [{ name: 'a', image: '', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }, false, 'in ContainerCreating'],
  ])('%#', (status, crashed, state) => {
    expect(containerTrouble(status)).toEqual({ crashed, state });
  });

  it('is one line suggesting --copy for a container that ran and died, none for one that runs', () => {
    const s = { name: 'app', image: '', imageID: '', ready: false, restartCount: 4 };
    const pod = (phase: string, status: V1ContainerStatus[]): V1Pod => ({ metadata: { name: 'api', namespace: 'shop' }, status: { phase, containerStatuses: status } });
    const looping = crashedTargetError(pod('Running', [{ ...s, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 3 } } }]), 'app');
    expect(looping?.message).toBe('container app of pod shop/api is in CrashLoopBackOff (exit code 3, 4 restarts)');
    expect(looping?.hint).toBe('debug a copy with sidekick exec --copy k8s://shop/api/app');
    expect(crashedTargetError(pod('Running', [{ ...s, state: { running: {} }, lastState: { terminated: { exitCode: 3 } } }]), 'app')).toBeUndefined();
    expect(crashedTargetError(pod('Pending', [{ ...s, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }]), 'app')).toBeUndefined();
  });
});

describe('a copy that does not run', () => {
  const pod = (status: V1Pod['status']): V1Pod => ({ metadata: { name: 'c' }, status });
  it('waits while pending, then says the scheduler reason', () => {
    const p = pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector." }] });
    expect(copyFailure(p, 'app')).toBeUndefined();
    expect(pendingReason(p, 'app')).toBe("Pending: Unschedulable: 0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.");
    expect(pendingReason(pod({ phase: 'Pending', containerStatuses: [{ name: 'app', image: '', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }] }), 'app')).toBe('Pending');
  });

  it('fails at once on a pull failure, a failed filler or an ended holder', () => {
    const s = { image: '', imageID: '', ready: false, restartCount: 0 };
    expect(copyFailure(pod({ phase: 'Pending', initContainerStatuses: [{ ...s, name: 'sidekick-holder', state: { waiting: { reason: 'ErrImageNeverPull', message: 'image "x" is not present' } } }] }), 'app')).toBe(
      'init container sidekick-holder: ErrImageNeverPull: image "x" is not present',
    );
    expect(copyFailure(pod({ phase: 'Failed', initContainerStatuses: [{ ...s, name: 'sidekick-holder', state: { terminated: { exitCode: 1, message: 'the toolkit image has no sleep\n' } } }] }), 'app')).toBe(
      'init container sidekick-holder exited with code 1: the toolkit image has no sleep',
    );
    expect(copyFailure(pod({ phase: 'Running', containerStatuses: [{ ...s, name: 'app', state: { terminated: { exitCode: 128, reason: 'StartError', message: 'exec: no such file' } } }] }), 'app')).toBe(
      'its container app ended (exit code 128, StartError): exec: no such file',
    );
  });
});

describe('copies in listings', () => {
  it("lists a session copy with its owner and original; of a kept one, only its debugger while it runs", () => {
    const copy = copyPod(original, 'app', plan, debuggerContainer);
    expect(copyInfo({ ...copy, status: { phase: 'Running' } })).toMatchObject({ id: `k8s://shop/${plan.name}`, target: 'k8s://shop/api-7d9f/app', owner: 'me@host:1', running: true });
    const kept = copyPod(original, 'app', { ...plan, keep: true }, debuggerContainer);
    const dbg = debuggerContainer.name;
    const status = (state: object) => ({ phase: 'Running', containerStatuses: [{ name: 'app', state: { running: {} } }, { name: dbg, state }] }) as V1Pod['status'];
    expect(copyInfo({ ...kept, status: status({ running: { startedAt: new Date(0) } }) })).toMatchObject({ id: `k8s://shop/${plan.name}/${dbg}`, target: 'k8s://shop/api-7d9f/app', owner: 'me@host:1', running: true });
    expect(copyInfo({ ...kept, status: status({ terminated: { exitCode: 0 } }) })).toBeUndefined();
    expect(copyInfo(kept)).toBeUndefined();
    expect(copyInfo(original)).toBeUndefined();
  });
});
