/**
 * Kubernetes behind the Runtime interface: the debugger is an ephemeral container added to the pod
 * through the pods/ephemeralcontainers subresource, targeting the chosen container's namespaces
 * (how it runs: debugger.ts).
 */
import type { KubeConfig, V1EphemeralContainer, V1Node, V1Pod } from '@kubernetes/client-node';
import { UserError } from '../../errors.js';
import { debugLog } from '../../log.js';
import { formatAddress, type TargetAddress } from '../address.js';
import type {
  AttachedDebugger,
  Debugger,
  DebuggerInfo,
  DebuggerSpec,
  NativePorts,
  CleanupRecipe,
  FindOptions,
  Progress,
  RemovedDebugger,
  Runtime,
  Target,
  TargetDetails,
  TargetInfo,
} from '../runtime.js';
import { KubeClient } from './client.js';
import { namespaceFor, type KubeOptions } from './config.js';
import { containerName, endDebugger, podDebugger, statusOf, type PodTarget } from './debugger.js';
import { apiMessage, apiStatus } from './errors.js';
import type { KubeRest } from './rest.js';
import type { Profile } from '../security.js';
import { podSecurityContext, profileFor } from './security.js';
import { podContainerConfig, type EnvSources } from './pod-env.js';
import { configNotes } from '../target-config.js';
import { createNodeDebugger, findNode, isNodeTarget, NODE_LABEL, nodeDebuggerInfo, nodeIsReady } from './node-debugger.js';
import { workloadPods } from './workloads.js';
import { podNativePorts } from './port-forward.js';
import { copyCleanup, copyStateOf, createCopyDebugger, type CopyState } from './copy-debugger.js';
import { COPY_LABEL, COPY_OF, copyInfo, crashedTargetError, copyName, validPodName } from './pod-copy.js';

/** Marks an ephemeral container as a sidekick debugger (ephemeral containers have no labels). */
const MARKER = 'SIDEKICK_ROLE';
const DEFAULT_CONTAINER = 'kubectl.kubernetes.io/default-container';
function splitTargetId(id: string): PodTarget {
  const [namespace = '', pod = '', container = ''] = id.split('/');
  return { namespace, pod, container };
}

export class KubernetesRuntime implements Runtime {
  readonly engine = 'kubernetes' as const;
  readonly endpoint: string;
  private readonly k: KubeClient;
  private readonly api: KubeRest;

  constructor(
    kc: KubeConfig,
    private readonly opts: KubeOptions,
  ) {
    this.k = new KubeClient(kc, opts);
    this.api = this.k.api;
    this.endpoint = this.k.endpoint;
  }

  private call<T>(what: () => Promise<T>): Promise<T> {
    return this.k.call(what);
  }

  private must<T>(what: () => Promise<T>, doing: string): Promise<T> {
    return this.k.must(what, doing);
  }

  private async readPod(namespace: string, name: string): Promise<V1Pod> {
    try {
      return await this.call(() => this.api.readPod(namespace, name));
    } catch (e) {
      if (e instanceof UserError) throw e;
      if (apiStatus(e) === 404) {
        throw new UserError(`pod ${name} not found in namespace ${namespace}`, { hint: `list pods with "kubectl get pods -n ${namespace}"`, kind: 'not-found' });
      }
      throw new UserError(`cannot read pod ${namespace}/${name}: ${apiMessage(e)}`, { cause: e });
    }
  }

  async findTarget(address: TargetAddress, options: FindOptions = {}): Promise<Target> {
    if (options.copyPod && (address.node || address.workload)) {
      throw new UserError(`--copy copies one pod, and ${address.raw} is ${address.node ? 'a node' : 'a workload'}`, { hint: 'give the pod: k8s://NAMESPACE/POD[/CONTAINER] or pod/NAME', kind: 'invalid' });
    }
    if (address.node) return findNode(this.k, address.name);
    const namespace = namespaceFor(this.k.kc, address.namespace, this.opts.namespace);
    if (address.workload) {
      // as kubectl exec: the first running pod of the workload, the choice shown
      const { running, total } = await workloadPods(this.k, namespace, address.workload, this.opts.selector);
      const pod = running[0]!.metadata!.name!;
      const picked = `${address.workload.typed} → pod ${pod} (1 of ${running.length} running${total > running.length ? `, ${total} in all` : ''})`;
      return { ...(await this.podTarget({ ...address, workload: undefined, namespace, name: pod })), picked };
    }
    if (this.opts.selector) {
      throw new UserError(`-l picks among a workload's pods, and ${address.raw} is one pod`, {
        hint: 'give a workload: deploy/NAME, sts/NAME, ds/NAME, rs/NAME, job/NAME or svc/NAME',
        kind: 'invalid',
      });
    }
    return this.podTarget(address, options.copyPod);
  }

  /** Every running pod of a workload (diagnose's many targets). */
  async findTargets(address: TargetAddress): Promise<Target[]> {
    if (!address.workload) return [await this.findTarget(address)];
    const namespace = namespaceFor(this.k.kc, address.namespace, this.opts.namespace);
    const { running } = await workloadPods(this.k, namespace, address.workload, this.opts.selector);
    return Promise.all(running.map((p) => this.podTarget({ ...address, workload: undefined, namespace, name: p.metadata!.name! })));
  }

  private async podTarget(address: TargetAddress, copy?: FindOptions['copyPod']): Promise<Target> {
    const namespace = namespaceFor(this.k.kc, address.namespace, this.opts.namespace);
    const pod = await this.readPod(namespace, address.name);
    const names = (pod.spec?.containers ?? []).map((c) => c.name);
    const container = address.container ?? pod.metadata?.annotations?.[DEFAULT_CONTAINER] ?? names[0];
    if (!container || !names.includes(container)) {
      throw new UserError(`container "${address.container}" is not in pod ${namespace}/${address.name}`, { hint: `its containers: ${names.join(', ')}`, kind: 'not-found' });
    }
    const addr = formatAddress('kubernetes', `${address.name}/${container}`, namespace);
    const status = pod.status?.containerStatuses?.find((s) => s.name === container);
    if (copy) return this.copyTarget(pod, container, addr, copy);
    const crashed = crashedTargetError(pod, container);
    if (crashed) throw crashed;
    if (pod.status?.phase !== 'Running') {
      throw new UserError(`pod ${namespace}/${address.name} is not running (${pod.status?.phase ?? 'unknown'}${pod.status?.reason ? `, ${pod.status.reason}` : ''})`, {
        hint: `see "kubectl describe pod -n ${namespace} ${address.name}"`,
        kind: 'not-running',
      });
    }
    if (!status?.state?.running) {
      const why = status?.state?.waiting?.reason ?? (status?.state?.terminated ? `exited ${status.state.terminated.exitCode}` : 'not started');
      throw new UserError(`container ${container} of pod ${namespace}/${address.name} is not running (${why})`, {
        hint: 'wait for it to run, or pick another container',
        kind: 'not-running',
      });
    }
    return this.containerTarget(pod, container, addr, { running: true, engineState: pod });
  }

  /** A pod's container as a Target: its configuration from the pod spec (env sources read as allowed). */
  private async containerTarget(pod: V1Pod, container: string, address: string, state: Pick<Target, 'running' | 'engineState'>): Promise<Target> {
    const namespace = pod.metadata!.namespace!;
    const name = pod.metadata!.name!;
    const spec = pod.spec!.containers.find((c) => c.name === container)!;
    const target: Target = {
      engine: 'kubernetes',
      address,
      id: `${namespace}/${name}/${container}`,
      name,
      image: spec.image ?? '',
      ...state,
      config: await podContainerConfig(pod, spec, this.envSources(namespace)),
    };
    for (const note of configNotes(target.config!)) debugLog(`kubernetes: ${note}`);
    return target;
  }

  /** A pod to debug in a copy (exec --copy): its configuration as for a running one, the copy planned. */
  private async copyTarget(pod: V1Pod, container: string, address: string, copy: NonNullable<FindOptions['copyPod']>): Promise<Target> {
    if (copy.name !== undefined && !validPodName(copy.name)) {
      throw new UserError(`bad --copy-to "${copy.name}"`, { hint: 'a pod name: lower-case letters, digits, "-" and ".", starting and ending with a letter or digit', kind: 'invalid' });
    }
    const plan = { ...copy, name: copyName(pod.metadata!.name!, copy.name) };
    const state: CopyState = { original: pod, container, plan };
    // the original is not what runs: the session never reports it as stopping
    return this.containerTarget(pod, container, address, { running: false, engineState: state });
  }

  /** The copy of a crash-looping pod is made before its debugger: the reaper learns how to delete it first. */
  async plannedCleanup(target: Target, spec: DebuggerSpec): Promise<CleanupRecipe | undefined> {
    const copy = copyStateOf(target);
    return copy && copyCleanup(this.k, copy, spec);
  }

  /** ConfigMaps and Secrets for valueFrom/envFrom, each read once; a refusal says which right is missing. */
  private envSources(namespace: string): EnvSources {
    const read = new Map<string, Promise<Record<string, string>>>();
    const get = (kind: 'configmaps' | 'secrets', name: string) => {
      const key = `${kind}/${name}`;
      if (!read.has(key)) {
        const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/${kind}/${encodeURIComponent(name)}`;
        const data = this.api.request<{ data?: Record<string, string> }>('GET', path).then(
          (o) => o.data ?? {},
          (e: unknown) => {
            const status = apiStatus(e);
            throw new Error(status === 403 ? `these credentials may not get ${kind} in ${namespace}` : status === 404 ? `no ${kind.slice(0, -1)} ${name}` : apiMessage(e));
          },
        );
        read.set(key, data);
      }
      return read.get(key)!;
    };
    return {
      configMap: (name) => get('configmaps', name),
      secret: async (name) => {
        const data = await get('secrets', name);
        return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
      },
    };
  }

  async isRunning(target: Target): Promise<boolean> {
    if (isNodeTarget(target)) return nodeIsReady(this.k, target.name);
    const { namespace, pod, container } = splitTargetId(target.id);
    let p: V1Pod;
    try {
      p = await this.call(() => this.api.readPod(namespace, pod));
    } catch (e) {
      if (apiStatus(e) === 404) return false; // the pod is gone
      throw e instanceof UserError ? e : new UserError(`cannot read pod ${namespace}/${pod}: ${apiMessage(e)}`, { kind: 'unreachable', cause: e });
    }
    // a pod being deleted is stopping, whatever its containers' last reported state
    if (p.metadata?.deletionTimestamp) return false;
    return Boolean(p.status?.containerStatuses?.find((s) => s.name === container)?.state?.running);
  }

  /** The kubelet's processes are on a node, not (as far as sidekick can tell) on this machine. */
  async localPid(): Promise<number | undefined> {
    return undefined;
  }

  /** A pod's own ports through pods/portforward (port-forward.ts); a node has none. */
  async nativePorts(target: Target): Promise<NativePorts | undefined> {
    if (isNodeTarget(target)) return undefined;
    const { namespace, pod } = splitTargetId(target.id);
    return podNativePorts(this.k, namespace, (target.engineState as V1Pod | undefined) ?? (await this.readPod(namespace, pod)));
  }

  async createDebugger(target: Target, spec: DebuggerSpec, progress: Progress): Promise<Debugger> {
    // a node's debugger is a pod of its own, in the namespace of -n
    if (isNodeTarget(target) && spec.detached) throw new UserError('exec -d is not available for node/ targets (a pod of its own, deleted when the session ends)', { hint: 'run the session attached (without -d)', kind: 'invalid' });
    if (isNodeTarget(target)) return createNodeDebugger(this.k, namespaceFor(this.k.kc, undefined, this.opts.namespace), target, spec, progress, literal);
    const copy = copyStateOf(target);
    if (copy) return createCopyDebugger(this.k, target, copy, spec, progress, literal);
    const { namespace, pod, container } = splitTargetId(target.id);
    const podSpec = (target.engineState as V1Pod | undefined) ?? (await this.readPod(namespace, pod));
    const { profile } = spec.security;
    const env: Record<string, string> = {
      ...spec.env,
      [MARKER]: 'debugger',
      SIDEKICK_HANDSHAKE: '1',
      SIDEKICK_EXIT_MARK: '1',
      ...(spec.stdin ? {} : { SIDEKICK_NO_STDIN: '1' }),
    };
    // In a pod sharing one process namespace, PID 1 is the pause container: find the target by its ID.
    const containerId = podSpec.status?.containerStatuses?.find((s) => s.name === container)?.containerID?.replace(/^\w+:\/\//, '');
    if (podSpec.spec?.shareProcessNamespace && containerId) env.SIDEKICK_TARGET_CGROUP = containerId;
    const name = containerName(spec);
    const ephemeral: V1EphemeralContainer = {
      name,
      image: spec.image,
      imagePullPolicy: spec.pull === 'always' ? 'Always' : spec.pull === 'never' ? 'Never' : 'IfNotPresent',
      command: spec.argv.map(literal),
      env: Object.entries(env).map(([k, v]) => ({ name: k, value: literal(v) })),
      stdin: true,
      // a detached debugger's stdin outlives each attach (exec -d)
      stdinOnce: !spec.detached,
      tty: spec.tty,
      targetContainerName: container,
      securityContext: podSecurityContext(spec.security),
    };
    try {
      await this.call(() =>
        this.api.addEphemeralContainer(namespace, pod, { spec: { ephemeralContainers: [ephemeral] } }),
      );
    } catch (e) {
      throw this.patchFailure(e, namespace, pod, profile);
    }
    debugLog(`kubernetes: added ephemeral container ${name} to ${namespace}/${pod} (profile ${profile})`);
    return podDebugger(this.k, { namespace, pod, container: name }, spec, spec.image, progress);
  }

  private patchFailure(e: unknown, namespace: string, pod: string, profile: Profile): UserError {
    if (e instanceof UserError) return e;
    const message = apiMessage(e);
    const status = apiStatus(e);
    if (/violates PodSecurity|admission webhook|denied the request/i.test(message)) {
      const passes = profileFor(message, profile);
      const next = passes ? `try --profile ${passes}` : 'ask for an exemption, or debug in another namespace';
      return new UserError(`admission denied the debugger with --profile ${profile}: ${message.replace(/^.*?forbidden: /, '')}`, { hint: next, kind: 'denied', cause: e });
    }
    if (status === 404) {
      return new UserError(`the API at ${this.endpoint} does not serve pods/ephemeralcontainers (or pod ${namespace}/${pod} is gone)`, {
        hint: 'ephemeral containers need Kubernetes 1.23 or later',
        cause: e,
      });
    }
    if (status === 422) return new UserError(`the debugger was refused: ${message}`, { hint: 'check --image, --name and --profile', cause: e });
    return new UserError(`cannot add the debugger to ${namespace}/${pod}: ${message}`, { cause: e });
  }

  async describeTarget(target: Target): Promise<TargetDetails> {
    if (isNodeTarget(target)) {
      const info = (target.engineState as V1Node | undefined)?.status?.nodeInfo;
      return { image: info ? `${info.osImage}, ${info.containerRuntimeVersion}, kubelet ${info.kubeletVersion}` : '', entrypoint: [], command: [], user: '', restartCount: 0, state: 'running' };
    }
    const { namespace, pod, container } = splitTargetId(target.id);
    const p = await this.readPod(namespace, pod);
    const c = p.spec?.containers.find((x) => x.name === container);
    const s = p.status?.containerStatuses?.find((x) => x.name === container);
    const user = c?.securityContext?.runAsUser ?? p.spec?.securityContext?.runAsUser;
    return {
      image: c?.image ?? target.image,
      entrypoint: c?.command ?? [],
      command: c?.args ?? [],
      user: user === undefined ? '' : String(user),
      startedAt: s?.state?.running?.startedAt ? new Date(s.state.running.startedAt).toISOString() : undefined,
      restartCount: s?.restartCount ?? 0,
      state: s?.state?.running ? 'running' : s?.state?.waiting ? 'waiting' : 'terminated',
      memoryLimit: parseQuantity(c?.resources?.limits?.memory),
    };
  }

  private async listPods(): Promise<V1Pod[]> {
    const list = await this.must(
      () => this.api.listPods(this.opts.namespace),
      'list pods',
    );
    return list.items;
  }

  async listTargets(): Promise<TargetInfo[]> {
    const out: TargetInfo[] = [];
    for (const pod of await this.listPods()) {
      for (const s of pod.status?.containerStatuses ?? []) {
        if (!s.state?.running) continue;
        out.push({
          engine: 'kubernetes',
          address: formatAddress('kubernetes', `${pod.metadata?.name}/${s.name}`, pod.metadata?.namespace),
          image: s.image,
          status: `Running (restarts ${s.restartCount})`,
          created: new Date(s.state.running.startedAt ?? Date.now()),
        });
      }
    }
    return out;
  }

  async listDebuggers(): Promise<DebuggerInfo[]> {
    const out: DebuggerInfo[] = [];
    for (const pod of await this.listPods()) {
      const own = nodeDebuggerInfo(pod) ?? copyInfo(pod);
      if (own) out.push(own);
      for (const ec of pod.spec?.ephemeralContainers ?? []) {
        if (!ec.env?.some((e) => e.name === MARKER)) continue;
        const state = pod.status?.ephemeralContainerStatuses?.find((s) => s.name === ec.name)?.state;
        const ns = pod.metadata?.namespace ?? '';
        const podName = pod.metadata?.name ?? '';
        out.push({
          engine: 'kubernetes',
          id: `k8s://${ns}/${podName}/${ec.name}`,
          name: ec.name,
          target: formatAddress('kubernetes', `${podName}/${ec.targetContainerName ?? ''}`, ns),
          status: state?.running ? 'running' : state?.terminated ? `exited (${state.terminated.exitCode})` : (state?.waiting?.reason ?? 'waiting'),
          running: Boolean(state?.running),
          created: new Date(state?.running?.startedAt ?? state?.terminated?.startedAt ?? pod.metadata?.creationTimestamp ?? Date.now()),
          detached: !ec.stdinOnce,
          attachable: Boolean(state?.running && ec.stdin && (ec.tty || !ec.stdinOnce)),
        });
      }
    }
    return out;
  }

  async removeDebugger(address: TargetAddress): Promise<RemovedDebugger | undefined> {
    const where: PodTarget = { namespace: namespaceFor(this.k.kc, address.namespace, this.opts.namespace), pod: address.name, container: address.container ?? '' };
    const pod = await this.call(() => this.api.readPod(where.namespace, where.pod)).catch((e: unknown) => {
      if (apiStatus(e) === 404) return undefined;
      throw e;
    });
    // k8s://NS/POD: a node debugger pod, deleted
    const node = address.container === undefined ? pod?.metadata?.labels?.[NODE_LABEL] : undefined;
    if (node) {
      await this.api.deletePod(where.namespace, where.pod);
      return { name: where.pod, target: `k8s://node/${node}` };
    }
    // k8s://NS/POD: a copy made for a session (exec --copy); kept copies are left alone
    if (address.container === undefined && pod?.metadata?.labels?.[COPY_LABEL] === 'session') {
      await this.api.deletePod(where.namespace, where.pod);
      return { name: where.pod, target: pod.metadata.annotations?.[COPY_OF] ?? '' };
    }
    // k8s://NS/POD/CONTAINER, the debugger of a kept copy (--keep): its processes end and the copy
    // stays, unless it never ran a session (the CLI was killed while it started)
    if (pod?.metadata?.labels?.[COPY_LABEL] === 'kept' && pod.spec?.containers.at(-1)?.name === where.container) {
      const own = { ...where, own: true };
      const state = statusOf(pod, own)?.state;
      // ended already: nothing left to end, and the copy is kept
      if (state?.terminated) return undefined;
      if (state?.running) await endDebugger(this.k, own, pod);
      else await this.api.deletePod(where.namespace, where.pod);
      return { name: where.container, target: pod.metadata.annotations?.[COPY_OF] ?? '' };
    }
    // only a sidekick debugger is ended, whatever the address names; one that ended already has
    // nothing left to end, and cannot be removed (sessions still lists it)
    const ec = pod?.spec?.ephemeralContainers?.find((c) => c.name === where.container);
    if (!ec?.env?.some((e) => e.name === MARKER)) return undefined;
    if (!(await endDebugger(this.k, where, pod))) return undefined;
    return { name: ec.name, target: formatAddress('kubernetes', `${where.pod}/${ec.targetContainerName ?? ''}`, where.namespace) };
  }

  async attachDebugger(address: TargetAddress): Promise<AttachedDebugger> {
    const namespace = namespaceFor(this.k.kc, address.namespace, this.opts.namespace);
    const pod = address.container === undefined ? undefined : await this.call(() => this.api.readPod(namespace, address.name)).catch((e: unknown) => {
      if (apiStatus(e) === 404) return undefined;
      throw e;
    });
    const { attachEphemeral } = await import('./attach.js');
    return attachEphemeral(this.k, address, pod);
  }
}

/** Kubernetes expands $(VAR) in commands and env values and reads $$ as $: doubling keeps text literal. */
export function literal(text: string): string {
  return text.replaceAll('$', '$$$$');
}

/** "64Mi", "1G", "512" (bytes) → bytes. */
export function parseQuantity(q: string | undefined): number | undefined {
  if (!q) return undefined;
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|K|M|G|T|k)?$/.exec(q);
  if (!m) return undefined;
  const unit: Record<string, number> = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, K: 1e3, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  return Math.round(Number(m[1]) * (m[2] ? unit[m[2]]! : 1));
}
