/**
 * `sidekick exec node/NAME`: a debugger pod pinned to the node (nodeName, so the scheduler has no
 * say), tolerating every taint, in the host's pid, network and ipc namespaces. With the host's pid
 * namespace PID 1 is the node's init, so the entry script's /proc/1/root is the node's root. It runs
 * as an ephemeral debugger does (debugger.ts: handshake, exit mark), and unlike one it can be
 * deleted: remove() and the reaper's `cleanup --only k8s://NS/POD` do.
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { UserError } from '../../errors.js';
import { debugLog } from '../../log.js';
import type { Debugger, DebuggerInfo, DebuggerSpec, Progress, Target } from '../runtime.js';
import type { KubeClient } from './client.js';
import { ownDebuggerContainer, podDebugger } from './debugger.js';
import { apiMessage, apiStatus } from './errors.js';

const CONTAINER = 'debugger';
// Not LABEL.role: the kubelet copies pod labels onto its containers, and the containerd engine would
// list the pod's container (k8s.io namespace) as a debugger of its own.
export const NODE_LABEL = 'io.sidekick.node-debugger';
/**
 * Run before the entry script: the node's root is /proc/1/root, unless PID 1 hides it (a microVM's
 * init, e.g. firecracker's process_api, refuses even the host's root): then the kubelet's root, the
 * same filesystem. Fixed text; the entry script and the user's command follow as "$@".
 */
const NODE_PRELUDE =
  'if ! cd /proc/1/root/ 2>/dev/null; then for p in /proc/[0-9]*; do if [ "$(cat "$p/comm" 2>/dev/null)" = kubelet ] && cd "$p/root/" 2>/dev/null; then SIDEKICK_TARGET_PID=${p#/proc/}; export SIDEKICK_TARGET_PID; break; fi; done; fi; cd /; exec "$@"';

/** A node target carries its V1Node as engineState and an id of its own shape. */
export const isNodeTarget = (target: Target) => target.id.startsWith('node/');

/** The node, checked to exist and be Ready, as a Target. */
export async function findNode(k: KubeClient, name: string): Promise<Target> {
  let node: V1Node;
  try {
    node = await k.call(() => k.api.request<V1Node>('GET', `/api/v1/nodes/${encodeURIComponent(name)}`));
  } catch (e) {
    if (e instanceof UserError) throw e;
    if (apiStatus(e) === 404) throw new UserError(`node ${name} not found`, { hint: 'list nodes with "kubectl get nodes"', kind: 'not-found' });
    throw new UserError(`cannot read node ${name}: ${apiMessage(e)}`, { cause: e });
  }
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status !== 'True') {
    throw new UserError(`node ${name} is NotReady${ready?.reason ? ` (${ready.reason})` : ''}`, { hint: `see "kubectl describe node ${name}"`, kind: 'not-running' });
  }
  return { engine: 'kubernetes', address: `k8s://node/${name}`, id: `node/${name}`, name, image: node.status?.nodeInfo?.osImage ?? '', running: true, engineState: node };
}

export async function nodeIsReady(k: KubeClient, name: string): Promise<boolean> {
  try {
    await findNode(k, name);
    return true;
  } catch (e) {
    if (e instanceof UserError && e.kind === 'unreachable') throw e;
    return false;
  }
}

/**
 * The debugger pod's spec (pure: unit-tested). Its security is the profile's (general: SYS_PTRACE,
 * netadmin: NET_ADMIN and NET_RAW, sysadmin: privileged), as for an ephemeral container.
 */
export function nodePod(node: string, namespace: string, name: string, spec: DebuggerSpec, literal: (s: string) => string): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { [NODE_LABEL]: node } },
    spec: {
      nodeName: node,
      hostPID: true,
      hostNetwork: true,
      hostIPC: true,
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 0,
      tolerations: [{ operator: 'Exists' }],
      containers: [ownDebuggerContainer(CONTAINER, spec, { script: NODE_PRELUDE, arg0: 'sidekick-node' }, literal)],
    },
  };
}

/** Creates the node debugger pod in `namespace`; it runs (and is waited for) in launch(). */
export async function createNodeDebugger(k: KubeClient, namespace: string, target: Target, spec: DebuggerSpec, progress: Progress, literal: (s: string) => string): Promise<Debugger> {
  const { profile } = spec.security;
  if (profile === 'baseline' || profile === 'restricted') {
    // kubectl's meaning: no host namespaces, which leaves nothing of the node to see
    throw new UserError(`--profile ${profile} keeps a node debugger out of the node's namespaces, so it would see nothing of node ${target.name}`, {
      hint: 'use --profile general (the default), netadmin or sysadmin, in a namespace that allows host namespaces',
      kind: 'invalid',
    });
  }
  const base = `sidekick-node-${target.name}`.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 50).replace(/-+$/, '');
  const pod = `${base}-${randomBytes(3).toString('hex')}`;
  try {
    await k.call(() => k.api.request('POST', `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`, nodePod(target.name, namespace, pod, spec, literal)));
  } catch (e) {
    if (e instanceof UserError) throw e;
    const message = apiMessage(e);
    if (/violates PodSecurity|admission webhook|denied the request/i.test(message)) {
      throw new UserError(`admission denied the node debugger with --profile ${profile}: ${message.replace(/^.*?forbidden: /, '')}`, {
        hint: 'node debuggers need the host namespaces: use -n with a namespace that allows them (Pod Security "privileged")',
        kind: 'denied',
        cause: e,
      });
    }
    throw new UserError(`cannot create the node debugger pod in ${namespace}: ${message}`, { cause: e });
  }
  debugLog(`kubernetes: created node debugger pod ${namespace}/${pod} on ${target.name} (profile ${profile})`);
  return podDebugger(k, { namespace, pod, container: CONTAINER, own: true }, spec, spec.image, progress);
}

/** A node debugger pod, for `sidekick sessions` and `cleanup` (its address k8s://NS/POD). */
export function nodeDebuggerInfo(pod: V1Pod): DebuggerInfo | undefined {
  const node = pod.metadata?.labels?.[NODE_LABEL];
  if (!node) return undefined;
  const meta = pod.metadata!;
  const state = pod.status?.containerStatuses?.[0]?.state;
  return {
    engine: 'kubernetes',
    id: `k8s://${meta.namespace}/${meta.name}`,
    name: meta.name ?? '',
    target: `k8s://node/${node}`,
    status: state?.running ? 'running' : state?.terminated ? `exited (${state.terminated.exitCode})` : (state?.waiting?.reason ?? pod.status?.phase ?? 'pending'),
    running: Boolean(state?.running),
    created: new Date(meta.creationTimestamp ?? Date.now()),
  };
}
