/**
 * Kubernetes behind the Runtime interface: the debugger is an ephemeral container added to the pod
 * through the pods/ephemeralcontainers subresource, targeting the chosen container's namespaces.
 *
 * Ephemeral containers start as soon as they are added, before anyone can attach; the entry script
 * therefore waits for a go-ahead line (SIDEKICK_HANDSHAKE) that start() sends once attached, so no
 * output is lost. They cannot be removed either: remove() ends the debugger's processes instead.
 */
import type { KubeConfig, V1EphemeralContainer, V1Pod } from '@kubernetes/client-node';
import { PassThrough } from 'node:stream';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../errors.js';
import { debugLog } from '../../log.js';
import { formatAddress, type TargetAddress } from '../address.js';
import type {
  CleanupRecipe,
  Debugger,
  DebuggerInfo,
  DebuggerSpec,
  DebuggerStreams,
  ExecProcess,
  Progress,
  Runtime,
  Target,
  TargetDetails,
  TargetInfo,
} from '../runtime.js';
import { apiMessage, apiStatus, commonApiError } from './api-errors.js';
import { exitCodeOf, openChannels, type Channels } from './channels.js';
import { ExitMarkFilter } from './exit-mark.js';
import { namespaceFor, type KubeOptions } from './config.js';
import { KubeRest, type PodEvent } from './rest.js';
import { applyProfile, parseProfile } from './profiles.js';
import { podContainerConfig, type EnvSources } from './pod-env.js';
import { configNotes } from '../target-config.js';

/** Marks an ephemeral container as a sidekick debugger (ephemeral containers have no labels). */
const MARKER = 'SIDEKICK_ROLE';
const DEFAULT_CONTAINER = 'kubectl.kubernetes.io/default-container';
const FATAL_WAITING = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'ErrImageNeverPull',
  'InvalidImageName',
  'CreateContainerError',
  'CreateContainerConfigError',
  'RunContainerError',
]);
// Ends every process of the debugger: the ones in its own cgroup, whatever the cgroup version.
const KILL_DEBUGGER =
  'for f in /sys/fs/cgroup/cgroup.procs /sys/fs/cgroup/pids/cgroup.procs /sys/fs/cgroup/memory/cgroup.procs; do [ -r "$f" ] && kill -9 $(cat "$f") 2>/dev/null; done; true';

interface PodTarget {
  namespace: string;
  pod: string;
  container: string;
}

function splitTargetId(id: string): PodTarget {
  const [namespace = '', pod = '', container = ''] = id.split('/');
  return { namespace, pod, container };
}

export class KubernetesRuntime implements Runtime {
  readonly engine = 'kubernetes' as const;
  readonly endpoint: string;
  private readonly api: KubeRest;
  private readonly context: string;
  private readonly pods = new Map<string, V1Pod>();

  constructor(
    private readonly kc: KubeConfig,
    private readonly opts: KubeOptions,
  ) {
    this.api = new KubeRest(kc);
    this.endpoint = kc.getCurrentCluster()?.server ?? '';
    this.context = kc.getCurrentContext();
  }

  private async call<T>(what: () => Promise<T>): Promise<T> {
    try {
      return await what();
    } catch (e) {
      throw commonApiError(e, this.endpoint, this.context) ?? e;
    }
  }

  /** An API call whose every failure becomes a one-line error. */
  private async must<T>(what: () => Promise<T>, doing: string): Promise<T> {
    try {
      return await this.call(what);
    } catch (e) {
      if (e instanceof UserError) throw e;
      throw new UserError(`cannot ${doing}: ${apiMessage(e)}`, { cause: e });
    }
  }

  private async readPod(namespace: string, name: string): Promise<V1Pod> {
    try {
      return await this.call(() => this.api.readPod(namespace, name));
    } catch (e) {
      if (e instanceof UserError) throw e;
      if (apiStatus(e) === 404) {
        throw new UserError(`pod ${name} not found in namespace ${namespace}`, { hint: `list pods with "kubectl get pods -n ${namespace}"` });
      }
      throw new UserError(`cannot read pod ${namespace}/${name}: ${apiMessage(e)}`, { cause: e });
    }
  }

  async findTarget(address: TargetAddress): Promise<Target> {
    const namespace = namespaceFor(this.kc, address.namespace, this.opts.namespace);
    const pod = await this.readPod(namespace, address.name);
    const names = (pod.spec?.containers ?? []).map((c) => c.name);
    const container = address.container ?? pod.metadata?.annotations?.[DEFAULT_CONTAINER] ?? names[0];
    if (!container || !names.includes(container)) {
      throw new UserError(`container "${address.container}" is not in pod ${namespace}/${address.name}`, { hint: `its containers: ${names.join(', ')}` });
    }
    const addr = formatAddress('kubernetes', `${address.name}/${container}`, namespace);
    if (pod.status?.phase !== 'Running') {
      throw new UserError(`pod ${namespace}/${address.name} is not running (${pod.status?.phase ?? 'unknown'}${pod.status?.reason ? `, ${pod.status.reason}` : ''})`, {
        hint: `see "kubectl describe pod -n ${namespace} ${address.name}"`,
      });
    }
    const status = pod.status?.containerStatuses?.find((s) => s.name === container);
    if (!status?.state?.running) {
      const why = status?.state?.waiting?.reason ?? (status?.state?.terminated ? `exited ${status.state.terminated.exitCode}` : 'not started');
      throw new UserError(`container ${container} of pod ${namespace}/${address.name} is not running (${why})`, {
        hint: 'wait for it to run, or pick another container',
      });
    }
    const spec = pod.spec!.containers.find((c) => c.name === container)!;
    const target: Target = {
      engine: 'kubernetes',
      address: addr,
      id: `${namespace}/${address.name}/${container}`,
      name: address.name,
      image: spec.image ?? '',
      running: true,
      config: await podContainerConfig(pod, spec, this.envSources(namespace)),
    };
    for (const note of configNotes(target.config!)) debugLog(`kubernetes: ${note}`);
    this.pods.set(target.id, pod);
    return target;
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
    const { namespace, pod, container } = splitTargetId(target.id);
    try {
      const p = await this.api.readPod(namespace, pod);
      // a pod being deleted is stopping, whatever its containers' last reported state
      if (p.metadata?.deletionTimestamp) return false;
      return Boolean(p.status?.containerStatuses?.find((s) => s.name === container)?.state?.running);
    } catch {
      return false;
    }
  }

  async createDebugger(target: Target, spec: DebuggerSpec, progress: Progress): Promise<Debugger> {
    const { namespace, pod, container } = splitTargetId(target.id);
    const podSpec = this.pods.get(target.id) ?? (await this.readPod(namespace, pod));
    const targetSpec = podSpec.spec?.containers.find((c) => c.name === container);
    const profile = parseProfile(this.opts.profile);
    const securityContext = applyProfile(profile, {
      capAdd: spec.capAdd,
      privileged: spec.privileged,
      targetUser: targetSpec?.securityContext?.runAsUser ?? podSpec.spec?.securityContext?.runAsUser,
      targetGroup: targetSpec?.securityContext?.runAsGroup ?? podSpec.spec?.securityContext?.runAsGroup,
    });
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
    const name = spec.name.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 63).replace(/-+$/, '');
    const ephemeral: V1EphemeralContainer = {
      name,
      image: spec.image,
      imagePullPolicy: spec.pull === 'always' ? 'Always' : spec.pull === 'never' ? 'Never' : 'IfNotPresent',
      command: spec.argv.map(literal),
      env: Object.entries(env).map(([k, v]) => ({ name: k, value: literal(v) })),
      stdin: true,
      stdinOnce: true,
      tty: spec.tty,
      targetContainerName: container,
      securityContext,
    };
    try {
      await this.call(() =>
        this.api.addEphemeralContainer(namespace, pod, { spec: { ephemeralContainers: [ephemeral] } }),
      );
    } catch (e) {
      throw this.patchFailure(e, namespace, pod, profile);
    }
    debugLog(`kubernetes: added ephemeral container ${name} to ${namespace}/${pod} (profile ${profile})`);
    return this.debuggerFor({ namespace, pod, container: name }, spec, `${spec.image}`, progress);
  }

  private patchFailure(e: unknown, namespace: string, pod: string, profile: string): UserError {
    if (e instanceof UserError) return e;
    const message = apiMessage(e);
    const status = apiStatus(e);
    if (/violates PodSecurity|admission webhook|denied the request/i.test(message)) {
      const next = profile === 'restricted' ? 'ask for an exemption, or debug in another namespace' : 'try --profile restricted (or baseline)';
      return new UserError(`admission denied the debugger with --profile ${profile}: ${message.replace(/^.*?forbidden: /, '')}`, { hint: next, cause: e });
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

  /**
   * Attaches once the container runs. The pod status says so up to the kubelet's 1 s status cycle
   * late, a delay every session would pay; an exec into the container succeeds as soon as the
   * runtime runs it, so a no-op exec is tried between looks at the status. (Attaching itself is no
   * test: the kubelet accepts an attach to a created container that has not started, and the
   * go-ahead line is lost.) The status supplies the reason when the container cannot start.
   */
  private async attachWhenRunning(where: PodTarget, path: string, image: string, progress: Progress): Promise<Channels> {
    const end = Date.now() + (this.opts.startTimeoutMs ?? 120_000);
    const pulls = new NodePulls(this.api, where, image, progress);
    await this.untilRunning(where, image, end, pulls);
    try {
      // a pull too quick to be seen while waiting is still told (while attaching, so it costs no
      // time), before any output: the debugger waits for the go-ahead line
      const [channels] = await Promise.all([this.call(() => openChannels(this.kc, path)), pulls.final()]);
      return channels;
    } catch (e) {
      throw e instanceof UserError ? e : new UserError(`cannot attach to the debugger: ${apiMessage(e)}`, { cause: e });
    }
  }

  private async untilRunning(where: PodTarget, image: string, end: number, pulls: NodePulls): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      if (await this.answersExec(where)) {
        debugLog(`kubernetes: the debugger runs (exec answered on attempt ${attempt})`);
        return;
      }
      const state = await this.startState(where, image, end);
      if (state === 'terminated') {
        throw new UserError('the debugger ended before sidekick could attach to it', { hint: 'see "kubectl describe pod" for its exit code and reason' });
      }
      if (state === 'running') return;
      // a container slow to start may be waiting for its image: say so, as local engines do
      if (attempt % 10 === 0) await pulls.look();
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Whether a no-op runs in the container: true only once the runtime has started it. */
  private async answersExec(where: PodTarget): Promise<boolean> {
    const command = ['sh', '-c', 'exit 0'].map((c) => `command=${encodeURIComponent(c)}`).join('&');
    try {
      const probe = await openChannels(this.kc, `/api/v1/namespaces/${where.namespace}/pods/${where.pod}/exec?container=${where.container}&stdout=true&stderr=true&${command}`);
      const status = await Promise.race([probe.closed, new Promise<'slow'>((r) => setTimeout(() => r('slow'), 5_000))]);
      if (status === 'slow') probe.close();
      return status !== 'slow' && exitCodeOf(status) === 0;
    } catch (e) {
      debugLog(`kubernetes: not running yet (${apiMessage(e)})`);
      return false;
    }
  }

  /** One look at the ephemeral container's state, failing with the kubelet's reason when it cannot start. */
  private async startState(where: PodTarget, image: string, end: number): Promise<'running' | 'terminated' | 'waiting'> {
    const pod = await this.must(() => this.api.readPod(where.namespace, where.pod), `read pod ${where.namespace}/${where.pod}`);
    const state = pod.status?.ephemeralContainerStatuses?.find((s) => s.name === where.container)?.state;
    if (state?.running) return 'running';
    if (state?.terminated) return 'terminated';
    const waiting = state?.waiting?.reason ? `${state.waiting.reason}${state.waiting.message ? `: ${state.waiting.message}` : ''}` : 'not created yet';
    if (state?.waiting?.reason && FATAL_WAITING.has(state.waiting.reason)) {
      const pull = /Image|Pull/.test(state.waiting.reason);
      throw new UserError(`the debugger cannot start: ${waiting.split('\n')[0]}`, {
        hint: pull ? `check the image name (${image}) and the node's registry access, or use an image the node has with --pull never` : 'see "kubectl describe pod"',
      });
    }
    if (Date.now() > end) {
      const timeoutMs = this.opts.startTimeoutMs ?? 120_000;
      throw new UserError(`the debugger did not start within ${timeoutMs / 1000}s (${waiting})`, { hint: 'see "kubectl describe pod" for the cause' });
    }
    return 'waiting';
  }

  private async exitCode(where: PodTarget): Promise<number> {
    for (let i = 0; i < 60; i++) {
      const pod = await this.must(() => this.api.readPod(where.namespace, where.pod), `read pod ${where.namespace}/${where.pod}`);
      const terminated = pod.status?.ephemeralContainerStatuses?.find((s) => s.name === where.container)?.state?.terminated;
      if (terminated) return terminated.exitCode;
      await new Promise((r) => setTimeout(r, 250));
    }
    return -1;
  }

  private cleanupRecipe(id: string): CleanupRecipe {
    // The CLI itself, asked to end that one debugger, is the only client that can reach the API.
    const cli = fileURLToPath(new URL('./cli.js', import.meta.url));
    const flags = [
      ...(this.opts.kubeconfig ? ['--kubeconfig', this.opts.kubeconfig] : []),
      '--context',
      this.context,
    ];
    return { kind: 'exec', file: process.execPath, args: [cli, 'cleanup', '--only', `k8s://${id}`, '-q', ...flags] };
  }

  private debuggerFor(where: PodTarget, spec: DebuggerSpec, image: string, progress: Progress): Debugger {
    let channels: Channels | undefined;
    const mark = new ExitMarkFilter();
    let attached!: () => void;
    const attachedOnce = new Promise<void>((r) => (attached = r));
    const id = `${where.namespace}/${where.pod}/${where.container}`;
    const attachPath = (tty: boolean) =>
      `/api/v1/namespaces/${where.namespace}/pods/${where.pod}/attach?container=${where.container}&stdin=true&stdout=true&stderr=${!tty}&tty=${tty}`;
    return {
      id,
      name: where.container,
      notes: [],
      orphanCleanup: this.cleanupRecipe(id),
      attach: async (): Promise<DebuggerStreams> => {
        channels = await this.attachWhenRunning(where, attachPath(spec.tty), image, progress);
        attached();
        // the exit mark travels on stderr, which a terminal merges into stdout
        const stdout = channels.stdout.pipe(spec.tty ? mark : new PassThrough());
        const stderr = spec.tty ? undefined : channels.stderr.pipe(mark);
        const ended = Promise.all([finished(stdout).catch(() => undefined), stderr && finished(stderr).catch(() => undefined)]).then(() => undefined);
        return { stdin: spec.stdin ? channels.stdin : undefined, stdout, stderr, ended };
      },
      start: async () => {
        channels?.stdin.write('go\n');
      },
      wait: async () => {
        await attachedOnce;
        await channels!.closed;
        await finished(mark).catch(() => undefined);
        // the mark is missing when the debugger was killed (e.g. its target died): ask the pod
        return mark.code ?? this.exitCode(where);
      },
      resize: async (rows, columns) => channels?.resize(rows, columns),
      exec: (argv) => this.exec(where, argv),
      remove: async () => {
        channels?.close();
        // The exit mark says the entry script ended, and the container with it; otherwise (a signal,
        // a lost connection) its processes are ended here.
        if (mark.code !== undefined) return;
        await this.endDebugger(where).catch((e: unknown) => debugLog(`kubernetes: ending ${id}: ${String(e)}`));
      },
    };
  }

  /** A process in the running debugger, through the pods/exec subresource (port-forward's relays). */
  private async exec(where: PodTarget, argv: string[]): Promise<ExecProcess> {
    const command = argv.map((c) => `command=${encodeURIComponent(c)}`).join('&');
    const path = `/api/v1/namespaces/${where.namespace}/pods/${where.pod}/exec?container=${where.container}&stdin=true&stdout=true&stderr=true&${command}`;
    const channels = await this.call(() => openChannels(this.kc, path)).catch((e: unknown) => {
      throw e instanceof UserError ? e : new UserError(`cannot run ${argv[0]} in the debugger: ${apiMessage(e)}`, { cause: e });
    });
    return {
      stdin: channels.stdin,
      stdout: channels.stdout,
      stderr: channels.stderr,
      exited: channels.closed.then(exitCodeOf),
      kill: () => channels.close(),
    };
  }

  /** Ephemeral containers stay in the pod spec; ending their processes is all that can be done. */
  private async endDebugger(where: PodTarget): Promise<void> {
    const pod = await this.api.readPod(where.namespace, where.pod);
    const state = pod.status?.ephemeralContainerStatuses?.find((s) => s.name === where.container)?.state;
    if (!state?.running) return;
    const command = ['sh', '-c', KILL_DEBUGGER].map((c) => `command=${encodeURIComponent(c)}`).join('&');
    const exec = await openChannels(this.kc, `/api/v1/namespaces/${where.namespace}/pods/${where.pod}/exec?container=${where.container}&stdout=true&stderr=true&${command}`);
    await Promise.race([exec.closed, new Promise((r) => setTimeout(r, 10_000))]);
  }

  async describeTarget(target: Target): Promise<TargetDetails> {
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
        });
      }
    }
    return out;
  }

  async removeDebugger(id: string): Promise<void> {
    const [namespace = '', pod = '', container = ''] = id.replace(/^k8s:\/\//, '').split('/');
    await this.endDebugger({ namespace, pod, container });
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

/**
 * The node's pull of the debugger's image, from the kubelet's events on the pod ("Pulling",
 * "Pulled"), shown like a local engine's pull. Events are optional: without the right to list them
 * sidekick just waits.
 */
class NodePulls {
  private pulling = false;
  private done = false;
  private blind = false;
  private readonly fieldPath: string;

  constructor(
    private readonly api: KubeRest,
    private readonly where: PodTarget,
    private readonly image: string,
    private readonly progress: Progress,
  ) {
    this.fieldPath = `spec.ephemeralContainers{${where.container}}`;
  }

  async look(): Promise<void> {
    if (this.blind || this.done) return;
    let events: PodEvent[];
    try {
      events = (await this.api.podEvents(this.where.namespace, this.where.pod)).items;
    } catch (e) {
      this.blind = true;
      debugLog(`kubernetes: no pod events (${apiMessage(e)})`);
      return;
    }
    const ours = events.filter((e) => e.involvedObject?.fieldPath === this.fieldPath);
    if (!this.pulling && ours.some((e) => e.reason === 'Pulling')) {
      this.pulling = true;
      this.progress.pull({ image: this.image, status: 'pulling on the node' });
    }
    if (this.pulling && ours.some((e) => e.reason === 'Pulled')) this.finish();
  }

  /**
   * Once the container runs: one more look, then a pull that was shown is done. (The kubelet stops
   * recording events for a pod that had many, so a pod debugged over and over may tell nothing.)
   */
  async final(): Promise<void> {
    await this.look();
    if (this.pulling && !this.done) this.finish();
  }

  private finish(): void {
    this.done = true;
    this.progress.pullDone(this.image);
  }
}