/** Docker: found through DOCKER_HOST, then the rootful and rootless default sockets. */
import { envProbe, findEndpoint, socketProbe } from '../endpoint.js';
import type { Runtime } from '../runtime.js';
import { DockerRuntime } from './runtime.js';

export function probeDocker() {
  const rootless = process.env.XDG_RUNTIME_DIR ? `${process.env.XDG_RUNTIME_DIR}/docker.sock` : undefined;
  return findEndpoint(
    [envProbe('DOCKER_HOST'), socketProbe('/var/run/docker.sock', 'default socket'), socketProbe(rootless, 'rootless socket')],
    { socketPath: '/var/run/docker.sock', url: 'unix:///var/run/docker.sock', source: 'default socket' },
  );
}

export function connectDocker(): Runtime {
  return new DockerRuntime(
    { engine: 'docker', label: 'Docker', cli: 'docker', startHint: 'start dockerd (or Docker Desktop), or point DOCKER_HOST at a running engine' },
    probeDocker(),
  );
}
