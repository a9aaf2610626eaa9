/**
 * Target addresses, parsed without touching any engine:
 *   docker://NAME_OR_ID   podman://NAME_OR_ID   nerdctl://NAME   containerd://[NAMESPACE/]ID
 *   k8s://[NAMESPACE/]POD[/CONTAINER]   pod/POD[/CONTAINER]   NAME_OR_ID (any engine that has it)
 *   KIND/NAME[/CONTAINER]   k8s://NAMESPACE/KIND/NAME[/CONTAINER]   (a workload's pod, see workload-kinds.ts)
 *   node/NAME   k8s://node/NAME   (a Kubernetes node: a debugger pod on it)
 */
import { UserError } from '../errors.js';
import { parseWorkloadKind, type WorkloadRef } from './workload-kinds.js';

export type EngineName = 'docker' | 'podman' | 'containerd' | 'nerdctl' | 'kubernetes';

export interface TargetAddress {
  /** undefined for a bare name: look it up on every reachable engine */
  engine?: EngineName;
  /** containerd/nerdctl namespace or Kubernetes namespace, when given */
  namespace?: string;
  /** container name, ID or ID prefix; the pod name on Kubernetes */
  name: string;
  /** Kubernetes container inside the pod */
  container?: string;
  /** a Kubernetes workload whose pods are the targets (name is then the workload's name) */
  workload?: WorkloadRef;
  /** a Kubernetes node (name is the node's) */
  node?: boolean;
  /** what the user typed */
  raw: string;
}

const SCHEMES: Record<string, EngineName> = {
  docker: 'docker',
  podman: 'podman',
  containerd: 'containerd',
  ctr: 'containerd',
  nerdctl: 'nerdctl',
  k8s: 'kubernetes',
  kubernetes: 'kubernetes',
};

// Docker's own rule for names, which also covers hex IDs and prefixes.
const CONTAINER_NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
// DNS labels / subdomains as Kubernetes and containerd namespaces use them.
const DNS_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

function malformed(raw: string, why: string): UserError {
  return new UserError(`malformed target address "${raw}" (${why})`, {
    hint: 'use NAME, docker://NAME, podman://NAME, containerd://NAMESPACE/ID, nerdctl://NAME or k8s://NAMESPACE/POD[/CONTAINER]',
  });
}

function checkName(raw: string, name: string, what: string, rule = CONTAINER_NAME): string {
  if (!name) throw malformed(raw, `${what} is empty`);
  if (!rule.test(name)) throw malformed(raw, `"${name}" is not a valid ${what}`);
  return name.replace(/^\//, '');
}

export function parseAddress(raw: string): TargetAddress {
  const input = raw.trim();
  if (!input) throw malformed(raw, 'it is empty');

  // node/NAME, k8s://node/NAME (a namespace named "node" then needs -n)
  const node = /^(?:k8s:\/\/|kubernetes:\/\/)?nodes?\/(.*)$/.exec(input);
  if (node) return { engine: 'kubernetes', node: true, name: checkName(raw, node[1]!, 'node name', DNS_NAME), raw };
  const scheme = /^([a-z0-9]+):\/\/(.*)$/.exec(input);
  if (scheme) {
    const engine = SCHEMES[scheme[1]!];
    if (!engine) throw malformed(raw, `unknown engine "${scheme[1]}"`);
    return parseForEngine(raw, engine, scheme[2]!);
  }
  if (input.startsWith('pod/') || input.startsWith('pods/')) {
    const [, pod, container, ...rest] = input.split('/');
    if (rest.length) throw malformed(raw, 'too many parts');
    return {
      engine: 'kubernetes',
      name: checkName(raw, pod ?? '', 'pod name', DNS_NAME),
      container: container === undefined ? undefined : checkName(raw, container, 'container name', DNS_NAME),
      raw,
    };
  }
  if (input.includes('/')) {
    const [kind, name, container, ...rest] = input.split('/');
    const workload = parseWorkloadKind(kind!, raw);
    if (!workload) throw malformed(raw, 'a bare name cannot contain "/"');
    if (rest.length) throw malformed(raw, 'too many parts');
    return workloadAddress(raw, workload, name, container);
  }
  return { name: checkName(raw, input, 'container name or ID'), raw };
}

function parseForEngine(raw: string, engine: EngineName, rest: string): TargetAddress {
  const parts = rest.split('/');
  switch (engine) {
    case 'docker':
    case 'podman':
    case 'nerdctl': {
      if (parts.length === 2 && engine === 'nerdctl') {
        return {
          engine,
          namespace: checkName(raw, parts[0]!, 'namespace', DNS_NAME),
          name: checkName(raw, parts[1]!, 'container name or ID'),
          raw,
        };
      }
      if (parts.length !== 1) throw malformed(raw, `${engine} addresses have no "/"`);
      return { engine, name: checkName(raw, parts[0]!, 'container name or ID'), raw };
    }
    case 'containerd': {
      if (parts.length > 2) throw malformed(raw, 'too many parts');
      const [ns, id] = parts.length === 2 ? parts : [undefined, parts[0]];
      return {
        engine,
        namespace: ns === undefined ? undefined : checkName(raw, ns, 'namespace', DNS_NAME),
        name: checkName(raw, id ?? '', 'container ID'),
        raw,
      };
    }
    case 'kubernetes': {
      // k8s://NS/KIND/NAME[/CONTAINER]: a workload (a pod named like a kind is then pod/POD with -n)
      const workload = parts.length >= 3 ? parseWorkloadKind(parts[1]!, raw, false) : undefined;
      if (workload) {
        if (parts.length > 4) throw malformed(raw, 'too many parts');
        return { ...workloadAddress(raw, workload, parts[2], parts[3]), namespace: checkName(raw, parts[0]!, 'namespace', DNS_NAME) };
      }
      if (parts.length > 3) throw malformed(raw, 'too many parts');
      // k8s://POD, k8s://NS/POD, k8s://NS/POD/CONTAINER
      const [ns, pod, container] = parts.length === 1 ? [undefined, parts[0], undefined] : parts;
      return {
        engine,
        namespace: ns === undefined ? undefined : checkName(raw, ns, 'namespace', DNS_NAME),
        name: checkName(raw, pod ?? '', 'pod name', DNS_NAME),
        container: container === undefined ? undefined : checkName(raw, container, 'container name', DNS_NAME),
        raw,
      };
    }
  }
}

function workloadAddress(raw: string, kind: WorkloadRef['kind'], name: string | undefined, container: string | undefined): TargetAddress {
  const checked = checkName(raw, name ?? '', `${kind} name`, DNS_NAME);
  return {
    engine: 'kubernetes',
    name: checked,
    workload: { kind, name: checked, typed: raw.replace(/^k8s:\/\/[^/]+\//, '').split('/').slice(0, 2).join('/') },
    container: container === undefined ? undefined : checkName(raw, container, 'container name', DNS_NAME),
    raw,
  };
}

/** The canonical address of a resolved target, as sidekick prints it. */
export function formatAddress(engine: EngineName, name: string, namespace?: string): string {
  const scheme = engine === 'kubernetes' ? 'k8s' : engine;
  return namespace ? `${scheme}://${namespace}/${name}` : `${scheme}://${name}`;
}
