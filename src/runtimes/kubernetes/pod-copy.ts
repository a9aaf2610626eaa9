/**
 * `sidekick exec --copy`: a copy of a pod whose container crash-loops, as pure functions over pod
 * objects (unit-tested; copy-debugger.ts makes and removes it).
 *
 * The copy is the pod's spec with what would get in the way taken out: labels (no Service or
 * controller picks it up), ownerReferences, nodeName (the scheduler places it), probes and lifecycle
 * hooks (nothing restarts or kills it), the status. Its processes are shared, and the target
 * container's command is a *holder* that only waits, so its filesystem stays there to debug
 * (through /proc/PID/root, as for any target) without the crash. A distroless image has no program
 * to wait with: an init container of the toolkit image copies its `sleep` into an emptyDir that the
 * holder mounts at HOLDER_DIR; it must therefore be statically linked (busybox:musl is). The init
 * container runs as a non-root user whatever the pod says, so it passes Pod Security "restricted".
 * The debugger is the copy's last container: the kubelet starts a pod's containers in order, and its
 * prelude (HOLDER_PRELUDE) finds the holder among the pod's processes by its command line.
 */
import type { V1Container, V1ContainerStatus, V1Pod, V1SecurityContext } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { UserError } from '../../errors.js';
import { formatAddress } from '../address.js';
import type { DebuggerInfo } from '../runtime.js';
import { FATAL_WAITING } from './debugger.js';

/** Marks a copy: `session` (deleted at the end of its session, listed by `sessions`) or `kept` (--keep). */
export const COPY_LABEL = 'io.sidekick.pod-copy';
/** Annotations: the original's address, and who made the copy (user@host:pid). */
export const COPY_OF = 'io.sidekick.copy-of';
export const COPY_OWNER = 'io.sidekick.owner';
const HOLDER_VOLUME = 'sidekick-holder';
const HOLDER_DIR = '/.sidekick';
export const HOLDER_COMMAND = [`${HOLDER_DIR}/sleep`, '2147483647'];
/**
 * The debugger's prelude: the holder's PID (its command line is HOLDER_COMMAND) for the entry script,
 * waiting up to 10 s for it. Fixed text; the entry script and the user's command follow as "$@".
 */
export const HOLDER_PRELUDE = `want='${HOLDER_COMMAND.join(' ')} '; n=0; while :; do for p in /proc/[0-9]*; do [ "$(tr '\\0' ' ' <"$p/cmdline" 2>/dev/null)" = "$want" ] && { SIDEKICK_TARGET_PID=\${p#/proc/}; export SIDEKICK_TARGET_PID; exec "$@"; }; done; n=$((n + 1)); [ "$n" -lt 100 ] || { echo "sidekick: the copy's container does not run" >&2; exit 125; }; usleep 100000; done`;
/** Copies the toolkit's sleep for the holder. Fixed text: nothing of the user's reaches it. */
const FILL = `for d in /bin /usr/bin /sbin /usr/sbin; do [ -x "$d/sleep" ] && exec cp "$d/sleep" ${HOLDER_DIR}/sleep; done; echo "the toolkit image has no sleep" >&2; exit 1`;
/** The init container's user when the target's is root or unknown. */
const NOBODY = 65534;

/** What the user asked of the copy: its name, and whether it outlives the session. */
export interface CopyPlan {
  name: string;
  keep: boolean;
  /** who makes it (user@host:pid), for `sidekick sessions` */
  owner: string;
}

/** The copy's name: given (--copy-to), else POD-sidekick-copy-xxxx, short enough for a hostname. */
export function copyName(pod: string, given?: string): string {
  if (given !== undefined) return given;
  return `${pod.slice(0, 40).replace(/[-.]+$/, '')}-sidekick-copy-${randomBytes(2).toString('hex')}`;
}

/** A DNS subdomain, as pod names are. */
export function validPodName(name: string): boolean {
  return name.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(name);
}

const unprobed = (c: V1Container): V1Container => ({ ...c, livenessProbe: undefined, readinessProbe: undefined, startupProbe: undefined, lifecycle: undefined });

/** The copy of `original` with `container` held and the debugger added, in the original's namespace. */
export function copyPod(original: V1Pod, container: string, plan: CopyPlan, debuggerContainer: V1Container): V1Pod {
  const toolkit = { image: debuggerContainer.image!, pull: debuggerContainer.imagePullPolicy };
  const meta = original.metadata ?? {};
  const spec = structuredClone(original.spec!);
  // not kubectl's record of the original, nor a static pod's mirror marks: the copy is a pod of its own
  const annotations = Object.fromEntries(
    Object.entries(meta.annotations ?? {}).filter(([k]) => k !== 'kubectl.kubernetes.io/last-applied-configuration' && !k.startsWith('kubernetes.io/config.')),
  );
  // the scheduler places it; admission sets the priority from the class again
  delete spec.nodeName;
  delete spec.priority;
  delete spec.ephemeralContainers;
  // (the host's pid namespace is shared already, and the API refuses both)
  if (!spec.hostPID) spec.shareProcessNamespace = true;
  // one run: a debugger or container that ends stays ended
  spec.restartPolicy = 'Never';
  spec.terminationGracePeriodSeconds = 0;
  spec.containers = [...spec.containers.map((c) => (c.name === container ? holder(c) : unprobed(c))), debuggerContainer];
  spec.initContainers = [filler(original, container, toolkit), ...(spec.initContainers ?? []).map(unprobed)];
  spec.volumes = [...(spec.volumes ?? []), { name: HOLDER_VOLUME, emptyDir: {} }];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: plan.name,
      namespace: meta.namespace,
      labels: { [COPY_LABEL]: plan.keep ? 'kept' : 'session' },
      annotations: { ...annotations, [COPY_OF]: `k8s://${meta.namespace}/${meta.name}/${container}`, [COPY_OWNER]: plan.owner },
    },
    spec,
  };
}

/** The target container, waiting instead of crashing; everything else of it (image, env, mounts, user, resources) as it was. */
function holder(c: V1Container): V1Container {
  return {
    ...unprobed(c),
    command: HOLDER_COMMAND,
    args: [],
    volumeMounts: [...(c.volumeMounts ?? []), { name: HOLDER_VOLUME, mountPath: HOLDER_DIR, readOnly: true }],
  };
}

function filler(original: V1Pod, container: string, toolkit: { image: string; pull?: string }): V1Container {
  const sc = original.spec?.containers.find((c) => c.name === container)?.securityContext;
  const uid = sc?.runAsUser ?? original.spec?.securityContext?.runAsUser;
  const securityContext: V1SecurityContext = {
    runAsUser: uid ? uid : NOBODY,
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
  return {
    name: HOLDER_VOLUME,
    image: toolkit.image,
    imagePullPolicy: toolkit.pull,
    command: ['sh', '-c', FILL],
    volumeMounts: [{ name: HOLDER_VOLUME, mountPath: HOLDER_DIR }],
    securityContext,
  };
}

/** How a container that does not run got there: "in CrashLoopBackOff (exit code 3, 5 restarts)". */
export function containerTrouble(status: V1ContainerStatus | undefined): { crashed: boolean; state: string } {
  const last = status?.state?.terminated ?? status?.lastState?.terminated;
  const restarts = status?.restartCount ? `, ${status.restartCount} restart${status.restartCount === 1 ? '' : 's'}` : '';
  const exit = last ? `exit code ${last.exitCode}${last.exitCode === 0 || !last.reason || last.reason === 'Error' ? '' : `, ${last.reason}`}` : '';
  const detail = exit || restarts ? ` (${[exit, restarts.slice(2)].filter(Boolean).join(', ')})` : '';
  if (status?.state?.terminated) return { crashed: true, state: `terminated${detail}` };
  const waiting = status?.state?.waiting?.reason;
  // a container that ran and died, or cannot start its command: a copy with a holder gets in
  const crashed = waiting === 'CrashLoopBackOff' || Boolean(status?.lastState?.terminated) || waiting === 'RunContainerError';
  return { crashed, state: waiting ? `in ${waiting}${detail}` : status ? 'not started' : 'not started (no status yet)' };
}

/**
 * The one line for a container that ran and died (crash-looping, terminated): starting it again only
 * crashes it again, a copy whose container waits gets in. Undefined when it runs or has not yet run.
 */
export function crashedTargetError(pod: V1Pod, container: string): UserError | undefined {
  const status = pod.status?.containerStatuses?.find((s) => s.name === container);
  if (status?.state?.running && pod.status?.phase === 'Running') return undefined;
  const trouble = containerTrouble(status);
  if (!trouble.crashed) return undefined;
  const namespace = pod.metadata?.namespace;
  const name = pod.metadata?.name ?? '';
  return new UserError(`container ${container} of pod ${namespace}/${name} is ${trouble.state}`, {
    hint: `debug a copy with sidekick exec --copy ${formatAddress('kubernetes', `${name}/${container}`, namespace)}`,
    kind: 'not-running',
  });
}

/** Why the copy cannot run, once that is certain (an image that cannot be pulled, a holder that ended); undefined while it may still. */
export function copyFailure(pod: V1Pod, container: string): string | undefined {
  const fatal = (s: V1ContainerStatus, what: string) => {
    const waiting = s.state?.waiting;
    if (waiting?.reason && FATAL_WAITING.has(waiting.reason)) return `${what}: ${waiting.reason}${waiting.message ? `: ${waiting.message.split('\n')[0]}` : ''}`;
    return undefined;
  };
  for (const s of pod.status?.initContainerStatuses ?? []) {
    const t = s.state?.terminated;
    if (t && t.exitCode !== 0) return `init container ${s.name} exited with code ${t.exitCode}${t.message ? `: ${t.message.trim().split('\n')[0]}` : t.reason ? ` (${t.reason})` : ''}`;
    const f = fatal(s, `init container ${s.name}`);
    if (f) return f;
  }
  const held = pod.status?.containerStatuses?.find((s) => s.name === container);
  const t = held?.state?.terminated;
  if (t) return `its container ${container} ended (exit code ${t.exitCode}${t.reason ? `, ${t.reason}` : ''})${t.message ? `: ${t.message.trim().split('\n')[0]}` : ''}`;
  const f = held && fatal(held, `container ${container}`);
  if (f) return f;
  if (pod.status?.phase === 'Failed') return `${pod.status.reason ?? 'Failed'}${pod.status.message ? `: ${pod.status.message}` : ''}`;
  return undefined;
}

/** What a copy that does not run yet waits for, the scheduler's reason first: "Pending: Unschedulable: 0/1 nodes are available: ...". */
export function pendingReason(pod: V1Pod, container: string): string {
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False') return `Pending: ${scheduled.reason ?? 'not scheduled'}${scheduled.message ? `: ${scheduled.message.trim()}` : ''}`;
  const waiting = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? []).filter((s) => s.name === container)]
    .map((s) => s.state?.waiting)
    .find((w) => w?.reason && w.reason !== 'PodInitializing');
  const phase = pod.status?.phase ?? 'Pending';
  return waiting ? `${phase}: ${waiting.reason}${waiting.message ? `: ${waiting.message.split('\n')[0]}` : ''}` : phase;
}

/**
 * A copy made for a session, for `sidekick sessions` and `cleanup` (its address k8s://NS/POD); of a
 * kept copy, only its debugger while it runs (k8s://NS/POD/CONTAINER: `cleanup` ends it, the copy stays).
 */
export function copyInfo(pod: V1Pod): DebuggerInfo | undefined {
  const meta = pod.metadata!;
  if (meta.labels?.[COPY_LABEL] === 'kept') return keptDebuggerInfo(pod);
  if (meta.labels?.[COPY_LABEL] !== 'session') return undefined;
  const running = pod.status?.phase === 'Running' && !meta.deletionTimestamp;
  return {
    engine: 'kubernetes',
    id: `k8s://${meta.namespace}/${meta.name}`,
    name: meta.name ?? '',
    target: meta.annotations?.[COPY_OF] ?? '',
    status: meta.deletionTimestamp ? 'deleting' : `copy, ${(pod.status?.phase ?? 'pending').toLowerCase()}`,
    running,
    created: new Date(meta.creationTimestamp ?? Date.now()),
    owner: meta.annotations?.[COPY_OWNER],
  };
}

/** A kept copy's debugger (its last container), while it runs. */
function keptDebuggerInfo(pod: V1Pod): DebuggerInfo | undefined {
  const meta = pod.metadata!;
  const name = pod.spec?.containers.at(-1)?.name;
  const running = pod.status?.containerStatuses?.find((s) => s.name === name)?.state?.running;
  if (!name || !running) return undefined;
  return {
    engine: 'kubernetes',
    id: `k8s://${meta.namespace}/${meta.name}/${name}`,
    name,
    target: meta.annotations?.[COPY_OF] ?? '',
    status: `running in kept copy ${meta.name}`,
    running: true,
    created: new Date(running.startedAt ?? meta.creationTimestamp ?? Date.now()),
    owner: meta.annotations?.[COPY_OWNER],
  };
}
