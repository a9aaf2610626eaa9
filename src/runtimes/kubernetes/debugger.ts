/**
 * A debugger in a pod: an ephemeral container, which starts as soon as it is added, before anyone
 * can attach. Its entry script therefore waits for a go-ahead line (SIDEKICK_HANDSHAKE) that
 * launch() sends once attached, so no output is lost. Ephemeral containers cannot be removed
 * either: remove() ends the debugger's processes instead. A node debugger (node-debugger.ts) is a
 * pod of its own that runs the same way, and remove() deletes it.
 */
import type { V1Container, V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { PassThrough } from 'node:stream';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../errors.js';
import { debugLog } from '../../log.js';
import { ownEntry } from '../../self.js';
import type { CleanupRecipe, Debugger, DebuggerSpec, DebuggerStreams, ExecProcess, LaunchOptions, Launched, Progress } from '../runtime.js';
import { exitCodeOf, openChannels, type Channels } from './channels.js';
import type { KubeClient } from './client.js';
import { apiMessage } from './errors.js';
import { formatAddress } from '../address.js';
import { crashedTargetError } from './pod-copy.js';
import { ExitMarkFilter } from './exit-mark.js';
import { debuggerContainer, NodePulls } from './node-pulls.js';
import { podSecurityContext } from './security.js';

/** Waiting reasons after which a container will not start without a change. */
export const FATAL_WAITING = new Set([
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

/** Where a container is: its namespace, pod and name. */
export interface PodTarget {
  namespace: string;
  pod: string;
  container: string;
  /** the debugger is the pod's own container (a node debugger pod, a copy's), not an ephemeral one */
  own?: boolean;
  /** a pod of its own that outlives the session (exec --copy --keep): its debugger is ended, not the pod deleted */
  keep?: boolean;
}

/** A debugger's container name: its spec's name as Kubernetes takes one (a DNS label). */
export function containerName(spec: Pick<DebuggerSpec, 'name'>): string {
  return spec.name.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 63).replace(/-+$/, '');
}

/** The debugger's status in its pod. */
export function statusOf(pod: V1Pod, where: PodTarget): V1ContainerStatus | undefined {
  return (where.own ? pod.status?.containerStatuses : pod.status?.ephemeralContainerStatuses)?.find((s) => s.name === where.container);
}

/**
 * Attaches once the container runs. The pod status says so up to the kubelet's 1 s status cycle
 * late, a delay every session would pay; an exec into the container succeeds as soon as the
 * runtime runs it, so a no-op exec is tried between looks at the status. (Attaching itself is no
 * test: the kubelet accepts an attach to a created container that has not started, and the
 * go-ahead line is lost.) The status supplies the reason when the container cannot start.
 */
async function attachWhenRunning(k: KubeClient, where: PodTarget, path: string, image: string, pulls: NodePulls): Promise<Channels> {
  const end = Date.now() + (k.opts.startTimeoutMs ?? 120_000);
  await untilRunning(k, where, image, end, pulls);
  try {
    // a pull too quick to be seen while waiting is still told (while attaching, so it costs no
    // time), before any output: the debugger waits for the go-ahead line
    const [channels] = await Promise.all([k.call(() => openChannels(k.kc, path)), pulls.final()]);
    return channels;
  } catch (e) {
    throw e instanceof UserError ? e : new UserError(`cannot attach to the debugger: ${apiMessage(e)}`, { cause: e });
  }
}

async function untilRunning(k: KubeClient, where: PodTarget, image: string, end: number, pulls: NodePulls): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    if (await answersExec(k, where)) {
      debugLog(`kubernetes: the debugger runs (exec answered on attempt ${attempt})`);
      return;
    }
    const state = await startState(k, where, image, end);
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
async function answersExec(k: KubeClient, where: PodTarget): Promise<boolean> {
  const command = ['sh', '-c', 'exit 0'].map((c) => `command=${encodeURIComponent(c)}`).join('&');
  try {
    const probe = await openChannels(k.kc, `/api/v1/namespaces/${where.namespace}/pods/${where.pod}/exec?container=${where.container}&stdout=true&stderr=true&${command}`);
    const status = await Promise.race([probe.closed, new Promise<'slow'>((r) => setTimeout(() => r('slow'), 5_000))]);
    if (status === 'slow') probe.close();
    return status !== 'slow' && exitCodeOf(status) === 0;
  } catch (e) {
    debugLog(`kubernetes: not running yet (${apiMessage(e)})`);
    return false;
  }
}

/** One look at the ephemeral container's state, failing with the kubelet's reason when it cannot start. */
async function startState(k: KubeClient, where: PodTarget, image: string, end: number): Promise<'running' | 'terminated' | 'waiting'> {
  const pod = await k.must(() => k.api.readPod(where.namespace, where.pod), `read pod ${where.namespace}/${where.pod}`);
  const state = statusOf(pod, where)?.state;
  if (state?.running) return 'running';
  if (state?.terminated) return 'terminated';
  const waiting = state?.waiting?.reason ? `${state.waiting.reason}${state.waiting.message ? `: ${state.waiting.message}` : ''}` : where.own ? podPending(pod) : 'not created yet';
  if (state?.waiting?.reason && FATAL_WAITING.has(state.waiting.reason)) {
    if (!where.own && /target container .* is not running/.test(state.waiting.message ?? '')) throw await targetStopped(k, pod, where);
    const pull = /Image|Pull/.test(state.waiting.reason);
    throw new UserError(`the debugger cannot start: ${waiting.split('\n')[0]}`, {
      hint: pull ? `check the image name (${image}) and the node's registry access, or use an image the node has with --pull never` : 'see "kubectl describe pod"',
    });
  }
  // a pod of its own pinned with nodeName skips the scheduler: the kubelet refuses one that does not fit
  if (where.own && pod.status?.phase === 'Failed') {
    throw new UserError(`the debugger pod cannot run on node ${pod.spec?.nodeName}: ${pod.status.reason ?? 'Failed'}${pod.status.message ? `: ${pod.status.message}` : ''}`, {
      hint: 'free resources on the node, or see "kubectl describe pod"',
    });
  }
  if (Date.now() > end) {
    const timeoutMs = k.opts.startTimeoutMs ?? 120_000;
    throw new UserError(`the debugger did not start within ${timeoutMs / 1000}s (${waiting})`, {
      hint: `${where.own ? `see "kubectl describe node ${pod.spec?.nodeName}"` : `see "kubectl describe pod -n ${where.namespace} ${where.pod}"`}, or wait longer with --pod-running-timeout`,
      kind: 'not-running',
    });
  }
  return 'waiting';
}

/**
 * The kubelet refused the debugger because its target stopped between sidekick's look and the
 * start: a crash loop's brief run. Said as for a target seen stopped, once the pod's status (up to a
 * status cycle behind the kubelet) shows it.
 */
async function targetStopped(k: KubeClient, read: V1Pod, where: PodTarget): Promise<UserError> {
  const target = read.spec?.ephemeralContainers?.find((c) => c.name === where.container)?.targetContainerName ?? '';
  let pod = read;
  for (const until = Date.now() + 3_000; ; await new Promise((r) => setTimeout(r, 250))) {
    const crashed = crashedTargetError(pod, target);
    if (crashed || Date.now() > until) return crashed ?? new UserError(`container ${target} of pod ${where.namespace}/${where.pod} stopped as the debugger started`, {
      hint: `debug a copy with sidekick exec --copy ${formatAddress('kubernetes', `${where.pod}/${target}`, where.namespace)}`,
      kind: 'not-running',
    });
    pod = await k.must(() => k.api.readPod(where.namespace, where.pod), `read pod ${where.namespace}/${where.pod}`);
  }
}

/** Why a pod of our own has no container yet: the scheduler's word, or a kubelet that never took it. */
function podPending(pod: V1Pod): string {
  const unscheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  if (unscheduled) return `Unschedulable${unscheduled.message ? `: ${unscheduled.message}` : ''}`;
  return `pod ${pod.status?.phase ?? 'Pending'}: the kubelet of node ${pod.spec?.nodeName ?? '?'} has not started it`;
}

/** The debugger's exit code from the pod's status, once the kubelet reports it (-1 if it never does). */
export async function exitCode(k: KubeClient, where: PodTarget): Promise<number> {
  for (let i = 0; i < 60; i++) {
    const pod = await k.must(() => k.api.readPod(where.namespace, where.pod), `read pod ${where.namespace}/${where.pod}`);
    const terminated = statusOf(pod, where)?.state?.terminated;
    if (terminated) return terminated.exitCode;
    await new Promise((r) => setTimeout(r, 250));
  }
  return -1;
}

/** `sidekick cleanup --only k8s://ID` with this cluster's flags: what the reaper runs for a debugger (or a copy) at ID. */
export function cleanupRecipe(k: KubeClient, id: string): CleanupRecipe {
  // The CLI itself, asked to end that one debugger, is the only client that can reach the API.
  const [file, cli] = ownEntry('cli') ?? [process.execPath, fileURLToPath(new URL('./cli.js', import.meta.url))];
  const flags = [
    ...(k.opts.kubeconfig ? ['--kubeconfig', k.opts.kubeconfig] : []),
    '--context',
    k.context,
  ];
  return { kind: 'exec', file, args: [cli, 'cleanup', '--only', `k8s://${id}`, '-q', ...flags] };
}

/**
 * The Debugger for a container just added to a pod (ephemeral), or a debugger pod just created (own);
 * `pulls` tells the node's pulls while it starts (by default, of its own image).
 */
export function podDebugger(k: KubeClient, where: PodTarget, spec: DebuggerSpec, image: string, progress: Progress, pulls?: NodePulls): Debugger {
  const watch = () => pulls ?? new NodePulls(k.api, where, [debuggerContainer(where, image)], progress);
  let channels: Channels | undefined;
  const mark = new ExitMarkFilter();
  // its address, as removeDebugger reads it: a pod of its own is NS/POD, unless kept (only its debugger goes)
  const id = where.own && !where.keep ? `${where.namespace}/${where.pod}` : `${where.namespace}/${where.pod}/${where.container}`;
  const attachPath = (tty: boolean) =>
    `/api/v1/namespaces/${where.namespace}/pods/${where.pod}/attach?container=${where.container}&stdin=true&stdout=true&stderr=${!tty}&tty=${tty}`;
  return {
    id,
    name: where.container,
    notes: [],
    orphanCleanup: cleanupRecipe(k, id),
    launch: async (options: LaunchOptions = {}): Promise<Launched> => {
      // The container runs already, its entry script waiting for the go-ahead line: attach, then send it.
      const open = await attachWhenRunning(k, where, attachPath(spec.tty), image, watch());
      channels = open;
      // the exit mark travels on stderr, which a terminal merges into stdout
      const stdout = open.stdout.pipe(spec.tty ? mark : new PassThrough());
      const stderr = spec.tty ? undefined : open.stderr.pipe(mark);
      const ended = Promise.all([finished(stdout).catch(() => undefined), stderr && finished(stderr).catch(() => undefined)]).then(() => undefined);
      const streams: DebuggerStreams = { stdin: spec.stdin ? open.stdin : undefined, stdout, stderr, ended };
      options.attached?.(streams);
      open.stdin.write('go\n');
      const exited = (async () => {
        await open.closed;
        await finished(mark).catch(() => undefined);
        // the mark is missing when the debugger was killed (e.g. its target died): ask the pod
        return mark.code ?? exitCode(k, where);
      })();
      return { streams, exited };
    },
    resize: async (rows, columns) => channels?.resize(rows, columns),
    exec: (argv) => exec(k, where, argv),
    // exec -d (ephemeral debuggers only, see runtime.ts): the go-ahead line is sent as at launch,
    // then the connection closes; its stdin stays open (stdinOnce off) for `sidekick attach`
    startDetached: async () => {
      const open = await attachWhenRunning(k, where, attachPath(spec.tty), image, watch());
      open.stdin.write('go\n');
      // the first output (a prompt), or a moment, says the line went through before the close
      await new Promise((resolve) => {
        open.stdout.once('data', resolve);
        open.stderr.once('data', resolve);
        void open.closed.then(resolve);
        setTimeout(resolve, 1000).unref();
      });
      open.close();
      // `sessions` reads the pod's status, which says "running" up to the kubelet's status cycle
      // later than the exec probe: wait for it (briefly), so a listing right after shows the session
      for (const until = Date.now() + 5_000; Date.now() < until; await new Promise((r) => setTimeout(r, 200))) {
        const pod = await k.api.readPod(where.namespace, where.pod).catch(() => undefined);
        const state = pod && statusOf(pod, where)?.state;
        if (!pod || state?.running || state?.terminated) break;
      }
      return `k8s://${id}`;
    },
    remove: async () => {
      channels?.close();
      if (where.own && !where.keep) return k.api.deletePod(where.namespace, where.pod).catch((e: unknown) => debugLog(`kubernetes: deleting ${id}: ${apiMessage(e)}`));
      // The exit mark says the entry script ended, and the container with it; otherwise (a signal,
      // a lost connection) its processes are ended here.
      if (mark.code !== undefined) return;
      await endDebugger(k, where).catch((e: unknown) => debugLog(`kubernetes: ending ${id}: ${String(e)}`));
    },
  };
}

/**
 * The debugger as a pod's own container (a node debugger's, a copy's): a fixed prelude (which finds
 * the target and exports what the entry script needs) runs first, then the entry script with the
 * user's words as its arguments. Kubernetes would expand $(VAR) in them: `literal` keeps them as typed.
 */
export function ownDebuggerContainer(name: string, spec: DebuggerSpec, prelude: { script: string; arg0: string }, literal: (s: string) => string): V1Container {
  const env = { ...spec.env, SIDEKICK_HANDSHAKE: '1', SIDEKICK_EXIT_MARK: '1', ...(spec.stdin ? {} : { SIDEKICK_NO_STDIN: '1' }) };
  return {
    name,
    image: spec.image,
    imagePullPolicy: spec.pull === 'always' ? 'Always' : spec.pull === 'never' ? 'Never' : 'IfNotPresent',
    command: ['sh', '-c', prelude.script, prelude.arg0, ...spec.argv].map(literal),
    env: Object.entries(env).map(([k, v]) => ({ name: k, value: literal(v) })),
    stdin: true,
    stdinOnce: true,
    tty: spec.tty,
    securityContext: podSecurityContext(spec.security),
  };
}

/** A process in the running debugger, through the pods/exec subresource (port-forward's relays). */
async function exec(k: KubeClient, where: PodTarget, argv: string[]): Promise<ExecProcess> {
  const command = argv.map((c) => `command=${encodeURIComponent(c)}`).join('&');
  const path = `/api/v1/namespaces/${where.namespace}/pods/${where.pod}/exec?container=${where.container}&stdin=true&stdout=true&stderr=true&${command}`;
  const channels = await k.call(() => openChannels(k.kc, path)).catch((e: unknown) => {
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

/**
 * Ephemeral containers stay in the pod spec (and a kept pod stays): ending their processes is all that
 * can be done. Says whether there was anything to end (not when the debugger ended already).
 */
export async function endDebugger(k: KubeClient, where: PodTarget, read?: V1Pod): Promise<boolean> {
  const pod = read ?? (await k.api.readPod(where.namespace, where.pod));
  const state = statusOf(pod, where)?.state;
  if (!state?.running) return false;
  const command = ['sh', '-c', KILL_DEBUGGER].map((c) => `command=${encodeURIComponent(c)}`).join('&');
  const exec = await openChannels(k.kc, `/api/v1/namespaces/${where.namespace}/pods/${where.pod}/exec?container=${where.container}&stdout=true&stderr=true&${command}`);
  await Promise.race([exec.closed, new Promise((r) => setTimeout(r, 10_000))]);
  return true;
}
