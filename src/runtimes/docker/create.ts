/**
 * Creates a container with its name alone in the query. dockerode's createContainer puts every
 * option in the query string as well as in the body: for a debugger, whose environment carries the
 * entry script, that is ~30 KB of URL to escape (~3 ms of CPU here) and for the engine to parse,
 * on every session.
 */
import type Docker from 'dockerode';
import type { DebuggerSpec } from '../runtime.js';
import { dockerSecurity } from './security.js';

export function createContainer(docker: Docker, options: Docker.ContainerCreateOptions): Promise<Docker.Container> {
  const { name, ...body } = options;
  // docker-modem sends opts._query as the query and opts._body as the body when they are given
  return docker.createContainer({ _query: name === undefined ? {} : { name }, _body: body } as unknown as Docker.ContainerCreateOptions);
}

/**
 * A debugger container's options: its command, environment, streams and security from the spec;
 * `hostConfig` says which namespaces it joins (a running target's) or what it mounts (a copy's).
 */
export function debuggerOptions(spec: DebuggerSpec, image: string, entrypoint: string, hostConfig: Docker.HostConfig): Docker.ContainerCreateOptions {
  const security = dockerSecurity(spec.security);
  return {
    name: spec.name,
    Image: image,
    Entrypoint: [entrypoint],
    Cmd: spec.argv.slice(1),
    Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
    Tty: spec.tty,
    OpenStdin: spec.stdin,
    // a detached debugger's stdin outlives each attach
    StdinOnce: spec.stdin && !spec.detached,
    AttachStdin: spec.stdin,
    AttachStdout: true,
    AttachStderr: true,
    Labels: spec.labels,
    User: security.User,
    HostConfig: {
      ...security.HostConfig,
      ...hostConfig,
      // a detached debugger is kept once it ended, for `attach` to tell its exit code (then removed)
      AutoRemove: !spec.detached,
    },
  };
}
