/**
 * Port-forward specs, parsed without touching the network or any engine:
 *   [[LOCAL_HOST:]LOCAL_PORT:][REMOTE_HOST:]REMOTE_PORT
 * REMOTE_HOST is seen from inside the target (default: its loopback, 127.0.0.1); LOCAL_HOST is where
 * sidekick listens on this machine (default 127.0.0.1); LOCAL_PORT 0 (the default) picks a free port.
 * IPv6 literals go in brackets: [::1]:9000:[fd00::5]:80.
 *
 * Two and three parts are told apart by whether the first part is a port:
 *   9000:6060 = LOCAL_PORT:REMOTE_PORT          db:5432 = REMOTE_HOST:REMOTE_PORT
 *   9000:db:5432 = LOCAL_PORT:REMOTE_HOST:REMOTE_PORT   0.0.0.0:9000:6060 = LOCAL_HOST:LOCAL_PORT:REMOTE_PORT
 */
import { isIP } from 'node:net';
import { UserError } from '../errors.js';

export interface HostPort {
  /** a host name or an IP literal, without brackets */
  host: string;
  port: number;
}

export interface ForwardSpec {
  local: HostPort;
  remote: HostPort;
  /** what the user typed */
  raw: string;
}

export const DEFAULT_LOCAL_HOST = '127.0.0.1';
export const DEFAULT_REMOTE_HOST = '127.0.0.1';

const HINT = 'use [[LOCAL_HOST:]LOCAL_PORT:][REMOTE_HOST:]REMOTE_PORT, e.g. 8080, 9000:6060 or 5432:db.internal:5432';
// Host names as DNS and container names spell them; never starting with "-" (it reaches nc as an argument).
const HOST_NAME = /^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?$/;

function bad(raw: string, why: string): UserError {
  return new UserError(`bad port-forward spec "${raw}" (${why})`, { hint: HINT });
}

/** Splits on ":" outside brackets, keeping bracketed parts whole. */
function split(raw: string): string[] {
  const parts: string[] = [];
  let current = '';
  let depth = 0;
  for (const ch of raw) {
    if (ch === '[') {
      if (depth) throw bad(raw, 'nested "["');
      depth = 1;
    } else if (ch === ']') {
      if (!depth) throw bad(raw, 'unmatched "]"');
      depth = 0;
    } else if (ch === ':' && !depth) {
      parts.push(current);
      current = '';
      continue;
    }
    current += ch;
  }
  if (depth) throw bad(raw, 'unmatched "["');
  parts.push(current);
  return parts;
}

const isPortText = (part: string) => /^\d+$/.test(part);

function port(raw: string, part: string, what: string, allowZero: boolean): number {
  if (!isPortText(part)) throw bad(raw, part ? `${what} "${part}" is not a number` : `${what} is empty`);
  const n = Number(part);
  if (n > 65535 || (n === 0 && !allowZero)) throw bad(raw, `${what} ${part} is out of range (${allowZero ? 0 : 1}-65535)`);
  return n;
}

function host(raw: string, part: string, what: string): string {
  if (part.startsWith('[')) {
    const inner = part.slice(1, -1);
    if (!part.endsWith(']') || isIP(inner) !== 6) throw bad(raw, `${what} "${part}" is not an IPv6 address`);
    return inner;
  }
  if (!part) throw bad(raw, `${what} is empty`);
  if (part.includes(']')) throw bad(raw, `${what} "${part}" is malformed`);
  if (isPortText(part)) throw bad(raw, `${what} "${part}" is a number, not a host`);
  if (isIP(part) === 4 || HOST_NAME.test(part)) return part;
  throw bad(raw, `${what} "${part}" is not a host name or IP address`);
}

export function parseForwardSpec(input: string): ForwardSpec {
  const raw = input.trim();
  if (!raw) throw bad(input, 'it is empty');
  const parts = split(raw);
  let localHost: string | undefined;
  let localPort = '0';
  let remoteHost: string | undefined;
  let remotePort: string;
  switch (parts.length) {
    case 1:
      [remotePort] = parts as [string];
      break;
    case 2:
      if (isPortText(parts[0]!)) [localPort, remotePort] = parts as [string, string];
      else [remoteHost, remotePort] = parts as [string, string];
      break;
    case 3:
      if (isPortText(parts[0]!)) [localPort, remoteHost, remotePort] = parts as [string, string, string];
      else [localHost, localPort, remotePort] = parts as [string, string, string];
      break;
    case 4:
      [localHost, localPort, remoteHost, remotePort] = parts as [string, string, string, string];
      break;
    default:
      throw bad(raw, `${parts.length} parts; at most 4 (IPv6 addresses go in brackets)`);
  }
  return {
    local: {
      host: localHost === undefined ? DEFAULT_LOCAL_HOST : host(raw, localHost, 'local host'),
      port: port(raw, localPort, 'local port', true),
    },
    remote: {
      host: remoteHost === undefined ? DEFAULT_REMOTE_HOST : host(raw, remoteHost, 'remote host'),
      port: port(raw, remotePort, 'remote port', false),
    },
    raw,
  };
}

/** Parses every spec; a fixed local address may be used once only. */
export function parseForwardSpecs(inputs: readonly string[]): ForwardSpec[] {
  if (inputs.length === 0) throw new UserError('name at least one port to forward', { hint: HINT });
  const specs = inputs.map(parseForwardSpec);
  const seen = new Map<string, string>();
  for (const spec of specs) {
    if (spec.local.port === 0) continue;
    const key = formatHostPort(spec.local);
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      throw new UserError(`local address ${key} is given twice ("${earlier}" and "${spec.raw}")`, { hint: 'give each forward its own local port, or 0 for a random one' });
    }
    seen.set(key, spec.raw);
  }
  return specs;
}

/** host:port, with IPv6 addresses in brackets. */
export function formatHostPort(hp: HostPort): string {
  return `${isIP(hp.host) === 6 ? `[${hp.host}]` : hp.host}:${hp.port}`;
}
