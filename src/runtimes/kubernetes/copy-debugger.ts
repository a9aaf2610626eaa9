/**
 * `sidekick exec --copy k8s://NS/POD[/CONTAINER]`: the session runs in a copy of the pod
 * (pod-copy.ts) whose container waits instead of crashing, with the debugger as the copy's own
 * last container. The story: create the copy, wait for its container to run (the scheduler's or the
 * kubelet's reason when it cannot, within the start timeout; the node's pulls of the copy's images,
 * init containers' included, shown as the ephemeral debugger's are), then run the debugger as a node
 * debugger's runs (debugger.ts: handshake, exit mark) and delete the copy when the session ends. The
 * reaper is armed with the copy's deletion before it is created (copyCleanup, through
 * Runtime.plannedCleanup), so a SIGKILLed CLI leaves nothing either. With --keep the copy stays
 * and only the debugger's processes end (its holder still runs: a plain `sidekick exec` reaches it
 * as any running pod), by the reaper too. The original pod is only read.
 */
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { UserError } from '../../errors.js';
import { debugLog } from '../../log.js';
import type { CleanupRecipe, Debugger, DebuggerSpec, Progress, Target } from '../runtime.js';
import { asConfiguredUser } from '../target-config.js';
import type { KubeClient } from './client.js';
import { cleanupRecipe, containerName, ownDebuggerContainer, podDebugger } from './debugger.js';
import { apiMessage, apiStatus } from './errors.js';
import { NodePulls, podContainers } from './node-pulls.js';
import { containerTrouble, copyFailure, copyPod, HOLDER_PRELUDE, pendingReason, type CopyPlan } from './pod-copy.js';

/** What findTarget learned for a copy: the original pod, the container to hold, the plan. */
export interface CopyState {
  original: V1Pod;
  container: string;
  plan: CopyPlan;
}

export function copyStateOf(target: Target): CopyState | undefined {
  const state = target.engineState as Partial<CopyState> | undefined;
  return state?.plan ? (state as CopyState) : undefined;
}

/** The reaper's recipe: delete the copy (its debugger goes with it); of a kept copy, end its debugger's processes. */
export function copyCleanup(k: KubeClient, copy: CopyState, spec: DebuggerSpec): CleanupRecipe {
  const pod = `${copy.original.metadata!.namespace}/${copy.plan.name}`;
  return cleanupRecipe(k, copy.plan.keep ? `${pod}/${containerName(spec)}` : pod);
}

/** Said once the copy runs: what the original does, and where the session is. */
function copyNotice({ original, container, plan }: CopyState): string {
  const status = original.status?.containerStatuses?.find((s) => s.name === container);
  const now = status?.state?.running ? 'runs' : `is ${containerTrouble(status).state}`;
  const end = plan.keep ? `kept after the session (--keep): delete it with "kubectl delete pod -n ${original.metadata!.namespace} ${plan.name}"` : 'deleted at the end';
  return `container ${container} of pod ${original.metadata!.namespace}/${original.metadata!.name} ${now}: debugging a copy, pod ${plan.name}, ${end}`;
}

export async function createCopyDebugger(k: KubeClient, target: Target, copy: CopyState, spec: DebuggerSpec, progress: Progress, literal: (s: string) => string): Promise<Debugger> {
  const namespace = copy.original.metadata!.namespace!;
  const { name, keep } = copy.plan;
  // the session runs as the container's user, as the app would
  const session = { ...spec, env: asConfiguredUser(target.config, spec) };
  const container = containerName(spec);
  const debuggerContainer = ownDebuggerContainer(container, session, { script: HOLDER_PRELUDE, arg0: 'sidekick-copy' }, literal);
  let created = false;
  try {
    const t0 = Date.now();
    const pod = await createCopy(k, target, copy, debuggerContainer);
    created = true;
    const pulls = new NodePulls(k.api, { namespace, pod: name }, podContainers(pod), progress);
    await untilCopyRuns(k, target, namespace, name, copy.container, pulls);
    debugLog(`kubernetes: the copy ${namespace}/${name} runs after ${Date.now() - t0} ms`);
    const dbg = podDebugger(k, { namespace, pod: name, container, own: true, keep }, session, spec.image, progress, pulls);
    return { ...dbg, notice: copyNotice(copy) };
  } catch (e) {
    // a copy that never served a session is not kept, --keep or not
    if (created) await k.api.deletePod(namespace, name).catch((e: unknown) => debugLog(`kubernetes: deleting the copy ${namespace}/${name}: ${apiMessage(e)}`));
    throw e;
  }
}

async function createCopy(k: KubeClient, target: Target, copy: CopyState, debuggerContainer: V1Container): Promise<V1Pod> {
  const namespace = copy.original.metadata!.namespace!;
  const pod = copyPod(copy.original, copy.container, copy.plan, debuggerContainer);
  try {
    await k.call(() => k.api.request('POST', `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`, pod));
  } catch (e) {
    if (e instanceof UserError) throw e;
    const message = apiMessage(e);
    if (apiStatus(e) === 409) {
      throw new UserError(`pod ${namespace}/${copy.plan.name} exists already`, { hint: 'name the copy otherwise with --copy-to NAME', kind: 'conflict', cause: e });
    }
    if (/violates PodSecurity|admission webhook|denied the request/i.test(message)) {
      throw new UserError(`admission denied the copy of ${target.address}: ${message.replace(/^.*?forbidden: /, '')}`, { hint: 'debug it in a namespace that admits it', kind: 'denied', cause: e });
    }
    throw new UserError(`cannot create a copy of ${target.address}: ${message}`, { cause: e });
  }
  debugLog(`kubernetes: created the copy ${namespace}/${copy.plan.name} of ${target.address}${copy.plan.keep ? ' (kept)' : ''}`);
  return pod;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Waits for the held container to run; fails with the reason once it cannot, or at the start
 * timeout. A signal ends the wait at once (the CLI's handler waits for work in flight before it
 * cleans up, and a copy may wait minutes to be scheduled), and the copy is deleted.
 */
async function untilCopyRuns(k: KubeClient, target: Target, namespace: string, name: string, container: string, pulls: NodePulls): Promise<V1Pod> {
  let signal: string | undefined;
  const stop = (s: string) => (signal = s);
  for (const s of SIGNALS) process.once(s, stop);
  try {
    return await pollCopy(k, target, namespace, name, container, pulls, () => signal);
  } finally {
    for (const s of SIGNALS) process.off(s, stop);
  }
}

async function pollCopy(
  k: KubeClient,
  target: Target,
  namespace: string,
  name: string,
  container: string,
  pulls: NodePulls,
  interrupted: () => string | undefined,
): Promise<V1Pod> {
  const timeoutMs = k.opts.startTimeoutMs ?? 120_000;
  const end = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    if (interrupted()) throw new UserError(`${interrupted()} while the copy ${namespace}/${name} was starting`, { hint: 'it was deleted' });
    let pod: V1Pod;
    try {
      pod = await k.call(() => k.api.readPod(namespace, name));
    } catch (e) {
      if (e instanceof UserError) throw e;
      if (apiStatus(e) === 404) throw new UserError(`the copy ${namespace}/${name} was deleted before it ran`, { hint: 'check what deletes pods in the namespace', kind: 'not-found' });
      throw new UserError(`cannot read the copy ${namespace}/${name}: ${apiMessage(e)}`, { cause: e });
    }
    if (pod.status?.containerStatuses?.find((s) => s.name === container)?.state?.running) return pod;
    const failure = copyFailure(pod, container);
    if (failure) throw new UserError(`the copy of ${target.address} cannot run: ${failure}`, { hint: failureHint(failure, container) });
    if (Date.now() > end) {
      throw new UserError(`the copy of ${target.address} did not run within ${timeoutMs / 1000}s (${pendingReason(pod, container)})`, {
        hint: 'it was deleted; --pod-running-timeout waits longer',
      });
    }
    // a copy slow to start may be waiting for its images: say so, as for the ephemeral debugger
    if (attempt % 4 === 0) await pulls.look();
    await new Promise((r) => setTimeout(r, 250));
  }
}

function failureHint(failure: string, container: string): string {
  if (/Image|Pull/.test(failure)) return 'check the image names and the node\'s registry access (the copy\'s init container runs the toolkit image, --image)';
  if (failure.startsWith(`its container ${container}`) || failure.startsWith(`container ${container}`)) {
    return "the copy's container waits with the toolkit's sleep inside the target's filesystem, which needs a statically linked toolkit: use e.g. --image busybox:musl";
  }
  return 'the copy was deleted';
}
