/**
 * From a workload (deploy/web, svc/api, …) to its pods, as `kubectl exec deploy/web` does: the
 * workload's label selector (narrowed by -l) lists the pods; running ones are the candidates.
 */
import type { V1LabelSelector, V1Pod, V1PodList } from '@kubernetes/client-node';
import { UserError } from '../../errors.js';
import type { WorkloadKind, WorkloadRef } from '../workload-kinds.js';
import { apiMessage, apiStatus } from './errors.js';
import type { KubeClient } from './client.js';

const PATHS: Record<WorkloadKind, string> = {
  deployment: '/apis/apps/v1/namespaces/NS/deployments/',
  statefulset: '/apis/apps/v1/namespaces/NS/statefulsets/',
  daemonset: '/apis/apps/v1/namespaces/NS/daemonsets/',
  replicaset: '/apis/apps/v1/namespaces/NS/replicasets/',
  job: '/apis/batch/v1/namespaces/NS/jobs/',
  service: '/api/v1/namespaces/NS/services/',
};

/** A LabelSelector object in the text form the API's labelSelector parameter takes. */
export function selectorText(selector: V1LabelSelector | undefined): string {
  const parts = Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector?.matchExpressions ?? []) {
    const values = (e.values ?? []).join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

/** Running and not being deleted: a pod a debugger can join. */
export function isRunning(pod: V1Pod): boolean {
  return pod.status?.phase === 'Running' && !pod.metadata?.deletionTimestamp;
}

function ready(pod: V1Pod): boolean {
  return Boolean(pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
}

/** The order candidates are picked in: ready first, then the longest-lived, then by name (stable). */
export function byPreference(a: V1Pod, b: V1Pod): number {
  const r = Number(ready(b)) - Number(ready(a));
  if (r) return r;
  const age = String(a.metadata?.creationTimestamp ?? '').localeCompare(String(b.metadata?.creationTimestamp ?? ''));
  return age || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
}

/** Why a pod does not run, in a word or two: its phase and a container's waiting or exit reason. */
export function whyNotRunning(pod: V1Pod): string {
  if (pod.metadata?.deletionTimestamp) return 'Terminating';
  const phase = pod.status?.phase ?? 'Unknown';
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const reason =
    statuses.map((s) => s.state?.waiting?.reason ?? s.state?.terminated?.reason).find(Boolean) ??
    pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False')?.reason ??
    pod.status?.reason;
  return reason ? `${phase}/${reason}` : phase;
}

/** "2 Pending/ImagePullBackOff, 1 Succeeded" */
export function summarise(pods: V1Pod[]): string {
  const counts = new Map<string, number>();
  for (const p of pods) counts.set(whyNotRunning(p), (counts.get(whyNotRunning(p)) ?? 0) + 1);
  return [...counts].map(([why, n]) => `${n} ${why}`).join(', ');
}

export interface WorkloadPods {
  /** running pods, the preferred first */
  running: V1Pod[];
  total: number;
}

/** The running pods of a workload in a namespace; a one-line error when there are none. */
export async function workloadPods(k: KubeClient, namespace: string, ref: WorkloadRef, extraSelector?: string): Promise<WorkloadPods> {
  const path = PATHS[ref.kind].replace('NS', encodeURIComponent(namespace)) + encodeURIComponent(ref.name);
  let object: { spec?: { selector?: V1LabelSelector | Record<string, string> } };
  try {
    object = await k.call(() => k.api.request('GET', path));
  } catch (e) {
    if (e instanceof UserError) throw e;
    if (apiStatus(e) === 404) {
      throw new UserError(`${ref.kind} ${ref.name} not found in namespace ${namespace}`, { hint: `list them with "kubectl get ${ref.kind} -n ${namespace}"`, kind: 'not-found' });
    }
    throw new UserError(`cannot read ${ref.kind} ${namespace}/${ref.name}: ${apiMessage(e)}`, { cause: e });
  }
  const raw = object.spec?.selector;
  // a Service's selector is a plain map; the others' a LabelSelector
  const own = ref.kind === 'service' ? selectorText({ matchLabels: raw as Record<string, string> | undefined }) : selectorText(raw as V1LabelSelector);
  if (!own) throw new UserError(`${ref.typed} selects no pods (it has no selector)`, { hint: 'debug one of its pods by name: pod/NAME' });
  const selector = extraSelector ? `${own},${extraSelector}` : own;
  let list: V1PodList;
  try {
    list = await k.call(() => k.api.request('GET', `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods?labelSelector=${encodeURIComponent(selector)}`));
  } catch (e) {
    if (e instanceof UserError) throw e;
    if (apiStatus(e) === 400) throw new UserError(`bad label selector "${extraSelector}": ${apiMessage(e)}`, { hint: 'use -l KEY=VALUE[,KEY2=VALUE2]', kind: 'invalid' });
    throw new UserError(`cannot list the pods of ${ref.typed}: ${apiMessage(e)}`, { cause: e });
  }
  const pods = list.items;
  const running = pods.filter(isRunning).sort(byPreference);
  if (pods.length === 0) {
    throw new UserError(`${ref.typed} in namespace ${namespace} has no pods (selector ${selector})`, {
      hint: extraSelector ? 'check -l' : `see "kubectl describe ${ref.kind} -n ${namespace} ${ref.name}"`,
      kind: 'not-found',
    });
  }
  if (running.length === 0) {
    throw new UserError(`${ref.typed} in namespace ${namespace} has no running pod: ${pods.length} ${pods.length === 1 ? 'pod' : 'pods'} (${summarise(pods)})`, {
      hint: `see "kubectl describe pods -n ${namespace} -l ${selector}"`,
      kind: 'not-running',
    });
  }
  return { running, total: pods.length };
}
