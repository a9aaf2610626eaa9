/** Kubernetes: a kubeconfig (or the in-cluster account) and the pods/ephemeralcontainers API. */
import type { Runtime } from '../runtime.js';
import { loadKubeConfig, type KubeOptions } from './config.js';
import { KubernetesRuntime } from './runtime.js';

export function connectKubernetes(opts: KubeOptions): Runtime {
  return new KubernetesRuntime(loadKubeConfig(opts), opts);
}
