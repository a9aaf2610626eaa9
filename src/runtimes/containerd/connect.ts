/**
 * containerd and nerdctl, through containerd's `ctr` client. Found through CONTAINERD_ADDRESS, then
 * the default socket; the namespace is the address's, else CONTAINERD_NAMESPACE, else "default".
 */
import { debugLog } from '../../log.js';
import { envProbe, findEndpoint, socketProbe } from '../endpoint.js';
import type { Runtime } from '../runtime.js';
import { ContainerdRuntime, type ContainerdFlavor } from './runtime.js';
import { Ctr, findCtr } from './ctr.js';
import { CONTAINERD, NERDCTL, type Naming } from './naming.js';

const DEFAULT_SOCKET = '/run/containerd/containerd.sock';

export function probeContainerd() {
  return findEndpoint([envProbe('CONTAINERD_ADDRESS'), socketProbe(DEFAULT_SOCKET, 'default socket')], {
    socketPath: DEFAULT_SOCKET,
    url: `unix://${DEFAULT_SOCKET}`,
    source: 'default socket',
  });
}

function connect(naming: Naming): Runtime {
  const probe = probeContainerd();
  debugLog(`${naming.engine}: ${probe.endpoint.url} from ${probe.endpoint.source} (probes: ${probe.tried.join(', ') || 'none answered'})`);
  const flavor: ContainerdFlavor = { naming, defaultNamespace: process.env.CONTAINERD_NAMESPACE || 'default' };
  // nerdctl's containers are containerd's: connection problems name containerd either way.
  return new ContainerdRuntime(flavor, new Ctr(findCtr(), probe, 'containerd'), probe.endpoint.url);
}

export function connectContainerd(): Runtime {
  return connect(CONTAINERD);
}

/** nerdctl's containers live in containerd: no nerdctl binary is needed. */
export function connectNerdctl(): Runtime {
  return connect(NERDCTL);
}
