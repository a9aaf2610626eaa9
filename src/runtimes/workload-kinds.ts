/**
 * The Kubernetes workload kinds a target address may name (deploy/web, k8s://NS/sts/db), with
 * kubectl's names for them. Pure: parsed without touching the cluster.
 */
import { UserError } from '../errors.js';

export type WorkloadKind = 'deployment' | 'statefulset' | 'daemonset' | 'replicaset' | 'job' | 'service';

export interface WorkloadRef {
  kind: WorkloadKind;
  name: string;
  /** KIND/NAME as the user typed it, for messages */
  typed: string;
}

const NAMES: Record<string, WorkloadKind> = {
  deploy: 'deployment',
  deployment: 'deployment',
  deployments: 'deployment',
  sts: 'statefulset',
  statefulset: 'statefulset',
  statefulsets: 'statefulset',
  ds: 'daemonset',
  daemonset: 'daemonset',
  daemonsets: 'daemonset',
  rs: 'replicaset',
  replicaset: 'replicaset',
  replicasets: 'replicaset',
  job: 'job',
  jobs: 'job',
  svc: 'service',
  service: 'service',
  services: 'service',
};

const KINDS: WorkloadKind[] = ['daemonset', 'deployment', 'job', 'replicaset', 'service', 'statefulset'];

/**
 * The kind a word names; undefined when it names none. A word that starts several kinds' names
 * ("d", "s") is refused as ambiguous when `strict` (a bare KIND/NAME, where "/" means a kind).
 */
export function parseWorkloadKind(word: string, raw: string, strict = true): WorkloadKind | undefined {
  const kind = NAMES[word.toLowerCase()];
  if (kind || !strict || !word) return kind;
  const starts = KINDS.filter((k) => k.startsWith(word.toLowerCase()));
  if (starts.length > 1) {
    throw new UserError(`ambiguous workload kind "${word}" in "${raw}" (${starts.join(' or ')})`, {
      hint: 'use deploy, sts, ds, rs, job or svc',
      kind: 'ambiguous',
    });
  }
  if (starts.length === 1) {
    throw new UserError(`unknown workload kind "${word}" in "${raw}"`, { hint: `did you mean ${starts[0]}/…? (deploy, sts, ds, rs, job, svc)`, kind: 'invalid' });
  }
  return undefined;
}
