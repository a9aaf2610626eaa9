/**
 * A container's configuration as its pod spec gives it, for the entry script (see
 * src/runtimes/target-config.ts). The environment is built as the kubelet builds it: envFrom first
 * (each ConfigMap's or Secret's keys, with the prefix), then env in order, `$(VAR)` in a value
 * expanded from what came before. valueFrom and envFrom read objects the CLI's credentials may not:
 * what cannot be read is left out and listed as unknown (--debug shows it); /proc/1/environ still
 * gives it when the process left that intact. Pure apart from the lookups passed in.
 */
import type { V1Container, V1EnvVar, V1Pod } from '@kubernetes/client-node';
import type { TargetConfig } from '../target-config.js';
import { runAsOf } from './security.js';

/** Reads a ConfigMap's or Secret's data (Secret values decoded); throws with the API's reason. */
export interface EnvSources {
  configMap(name: string): Promise<Record<string, string>>;
  secret(name: string): Promise<Record<string, string>>;
}

/** What the pod spec cannot say: the image's own config is not served by the API. */
const IMAGE_ENV = "the image's ENV (not in the pod spec; taken from /proc/1/environ while the process leaves it intact)";
const IMAGE_COMMAND = "the image's ENTRYPOINT/CMD (the pod spec sets no command; the API does not serve image configs)";

export async function podContainerConfig(pod: V1Pod, container: V1Container, sources: EnvSources): Promise<TargetConfig> {
  const unknown = [IMAGE_ENV];
  const env = await containerEnv(pod, container, sources, unknown);
  if (!container.command) unknown.push(IMAGE_COMMAND);
  return {
    env: [...env].map(([name, value]) => `${name}=${value}`),
    user: runAsOf(pod, container.name),
    workdir: container.workingDir || undefined,
    command: container.command ? [...container.command, ...(container.args ?? [])] : undefined,
    unknown,
  };
}

async function containerEnv(pod: V1Pod, c: V1Container, sources: EnvSources, unknown: string[]): Promise<Map<string, string>> {
  const env = new Map<string, string>();
  for (const from of c.envFrom ?? []) {
    const [kind, ref] = from.configMapRef ? (['configmap', from.configMapRef] as const) : (['secret', from.secretRef] as const);
    if (!ref?.name) continue;
    try {
      const data = kind === 'configmap' ? await sources.configMap(ref.name) : await sources.secret(ref.name);
      for (const [key, value] of Object.entries(data)) env.set(`${from.prefix ?? ''}${key}`, value);
    } catch (e) {
      if (!ref.optional) unknown.push(`envFrom ${kind} ${ref.name} (${reason(e)})`);
    }
  }
  for (const v of c.env ?? []) {
    if (!v.valueFrom) {
      env.set(v.name, expand(v.value ?? '', env));
      continue;
    }
    try {
      const value = await valueFrom(pod, v, sources);
      if (value !== undefined) env.set(v.name, value);
    } catch (e) {
      unknown.push(`env ${v.name} (${reason(e)})`);
    }
  }
  return env;
}

/** A valueFrom source's value; undefined for an optional key that is missing. */
async function valueFrom(pod: V1Pod, v: V1EnvVar, sources: EnvSources): Promise<string | undefined> {
  const from = v.valueFrom!;
  const keyRef = from.configMapKeyRef ?? from.secretKeyRef;
  if (keyRef) {
    const data = from.configMapKeyRef ? await sources.configMap(keyRef.name!) : await sources.secret(keyRef.name!);
    if (keyRef.key in data) return data[keyRef.key];
    if (keyRef.optional) return undefined;
    throw new Error(`no key ${keyRef.key} in ${from.configMapKeyRef ? 'configmap' : 'secret'} ${keyRef.name}`);
  }
  if (from.fieldRef) return podField(pod, from.fieldRef.fieldPath);
  throw new Error(from.resourceFieldRef ? `resourceFieldRef ${from.resourceFieldRef.resource} is not resolved` : 'an unknown valueFrom');
}

/** The downward API's pod fields. */
export function podField(pod: V1Pod, path: string): string {
  const meta = pod.metadata ?? {};
  const keyed = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path);
  if (keyed) return (keyed[1] === 'labels' ? meta.labels : meta.annotations)?.[keyed[2]!] ?? '';
  const fields: Record<string, string | undefined> = {
    'metadata.name': meta.name,
    'metadata.namespace': meta.namespace,
    'metadata.uid': meta.uid,
    'spec.nodeName': pod.spec?.nodeName,
    'spec.serviceAccountName': pod.spec?.serviceAccountName,
    'status.hostIP': pod.status?.hostIP,
    'status.hostIPs': pod.status?.hostIPs?.map((a) => a.ip).join(','),
    'status.podIP': pod.status?.podIP,
    'status.podIPs': pod.status?.podIPs?.map((a) => a.ip).join(','),
  };
  if (!(path in fields)) throw new Error(`fieldRef ${path} is not resolved`);
  return fields[path] ?? '';
}

/** The kubelet's expansion: `$(NAME)` of a variable defined before, `$$` for `$`; anything else stays. */
export function expand(text: string, vars: ReadonlyMap<string, string>): string {
  return text.replace(/\$\$|\$\(([^)]*)\)/g, (match, name: string | undefined) => (match === '$$' ? '$' : (vars.get(name!) ?? match)));
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
