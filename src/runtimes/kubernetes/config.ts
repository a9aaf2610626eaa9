/**
 * Finding the cluster as kubectl does: --kubeconfig, else KUBECONFIG (a merged list), else
 * ~/.kube/config, else the in-cluster service account; --context picks a context.
 */
import { existsSync } from 'node:fs';
// The config module alone: the package index would load the whole generated API (see scripts/build.mjs).
import { KubeConfig } from '@kubernetes/client-node/dist/config.js';
import { UserError } from '../../errors.js';
import { debugLog } from '../../log.js';

export interface KubeOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  /** -l: narrows a workload's pods */
  selector?: string;
  /** how long to wait for the debugger to run */
  startTimeoutMs?: number;
}

export function loadKubeConfig(opts: KubeOptions): KubeConfig {
  const kc = new KubeConfig();
  if (opts.kubeconfig) {
    if (!existsSync(opts.kubeconfig)) {
      throw new UserError(`kubeconfig ${opts.kubeconfig} does not exist`, { hint: 'check the --kubeconfig path' });
    }
    kc.loadFromFile(opts.kubeconfig);
  } else {
    try {
      kc.loadFromDefault();
    } catch (e) {
      throw new UserError(`cannot read the kubeconfig: ${(e as Error).message}`, { hint: 'fix it, or pass --kubeconfig', cause: e });
    }
  }
  // With no kubeconfig and no service account, client-node falls back to http://localhost:8080 (as
  // kubectl once did); an API there is not what anyone means today.
  const fallback = !opts.kubeconfig && kc.getCurrentContext() === 'loaded-context' && kc.getCurrentCluster()?.server === 'http://localhost:8080';
  if (fallback || kc.getContexts().length === 0 || !kc.getCurrentCluster()) {
    throw new UserError('no Kubernetes cluster configured', {
      hint: 'set KUBECONFIG, pass --kubeconfig, or run inside a cluster',
    });
  }
  if (opts.context) {
    if (!kc.getContextObject(opts.context)) {
      throw new UserError(`context "${opts.context}" is not in the kubeconfig`, {
        hint: `use one of: ${kc.getContexts().map((c) => c.name).join(', ')}`,
      });
    }
    kc.setCurrentContext(opts.context);
  }
  debugLog(`kubernetes: context ${kc.getCurrentContext()} at ${kc.getCurrentCluster()?.server} (kubeconfig from ${opts.kubeconfig ?? (process.env.KUBECONFIG ? 'KUBECONFIG' : 'the default places')})`);
  return kc;
}

/** The namespace of an address: given, else -n, else the context's, else "default". */
export function namespaceFor(kc: KubeConfig, given: string | undefined, flag: string | undefined): string {
  return given ?? flag ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
}
