/**
 * Finding an engine's endpoint: a chain of small probes, each answering "found" or "not me", tried in
 * a fixed order. The answer remembers what was tried, so errors and --debug can explain the choice.
 */
import { existsSync } from 'node:fs';

export interface Endpoint {
  /** unix socket path, or undefined for TCP */
  socketPath?: string;
  host?: string;
  port?: number;
  /** how a person would write it: unix:///var/run/docker.sock */
  url: string;
  /** which probe found it, e.g. "DOCKER_HOST" or "default socket" */
  source: string;
}

export interface ProbeResult {
  endpoint: Endpoint;
  /** every probe's answer, in order, for --debug and error messages */
  tried: string[];
}

export type Probe = (tried: string[]) => Endpoint | undefined;

/** A probe that reads an environment variable holding unix://PATH or tcp://HOST:PORT. */
export function envProbe(variable: string): Probe {
  return (tried) => {
    const value = process.env[variable];
    if (!value) {
      tried.push(`${variable} (unset)`);
      return undefined;
    }
    tried.push(`${variable}=${value}`);
    return parseEndpointUrl(value, variable);
  };
}

/** A probe that answers when a unix socket file exists at PATH. */
export function socketProbe(path: string | undefined, source: string): Probe {
  return (tried) => {
    if (!path) return undefined;
    if (!existsSync(path)) {
      tried.push(`${path} (missing)`);
      return undefined;
    }
    tried.push(path);
    return { socketPath: path, url: `unix://${path}`, source };
  };
}

export function parseEndpointUrl(value: string, source: string): Endpoint {
  if (value.startsWith('unix://')) {
    const socketPath = value.slice('unix://'.length);
    return { socketPath, url: value, source };
  }
  if (value.startsWith('/')) return { socketPath: value, url: `unix://${value}`, source };
  const tcp = /^(?:tcp|http):\/\/\[?([^\]]+?)\]?:(\d+)\/?$/.exec(value);
  if (tcp) return { host: tcp[1], port: Number(tcp[2]), url: value, source };
  // An unsupported form is still reported as the endpoint, so the connection error names it.
  return { url: value, source };
}

/** Runs the probes in order; when none answers, the fallback is used (and named in errors). */
export function findEndpoint(probes: Probe[], fallback: Endpoint): ProbeResult {
  const tried: string[] = [];
  for (const probe of probes) {
    const found = probe(tried);
    if (found) return { endpoint: found, tried };
  }
  return { endpoint: fallback, tried };
}
