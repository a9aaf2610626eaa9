/**
 * Podman, through its Docker-compatible API (the `podman system service` socket). Chosen over the
 * podman CLI because it is the same code path as Docker (dockerode: create/attach/wait/start, with
 * hijacked streams and resize) and costs no extra process per call.
 * Found through CONTAINER_HOST, then the rootful and rootless default sockets.
 */
import { envProbe, findEndpoint, socketProbe } from '../endpoint.js';
import type { Runtime } from '../runtime.js';
import { DockerRuntime } from '../docker/runtime.js';

export function probePodman() {
  const rootless = process.env.XDG_RUNTIME_DIR ? `${process.env.XDG_RUNTIME_DIR}/podman/podman.sock` : undefined;
  return findEndpoint(
    [envProbe('CONTAINER_HOST'), socketProbe('/run/podman/podman.sock', 'default socket'), socketProbe(rootless, 'rootless socket')],
    { socketPath: '/run/podman/podman.sock', url: 'unix:///run/podman/podman.sock', source: 'default socket' },
  );
}

export function connectPodman(): Runtime {
  return new DockerRuntime(
    {
      engine: 'podman',
      label: 'Podman',
      cli: 'podman',
      startHint: 'start the service with "podman system service --time=0", or point CONTAINER_HOST at one',
      closesStdinOnLeave: true,
      slowWait: true,
    },
    probePodman(),
  );
}
