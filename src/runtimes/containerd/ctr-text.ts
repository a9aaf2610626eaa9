/**
 * Pure helpers for talking to containerd through `ctr`: image references as Docker users write them,
 * ctr's table output, ID prefixes, pull progress lines. No I/O, so they are easy to check on their own.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { PullEvent } from '../runtime.js';

/**
 * A Docker-style image name as containerd stores it: `busybox:musl` is
 * `docker.io/library/busybox:musl`, `me/app` is `docker.io/me/app:latest`, `host:5000/app` keeps its host.
 */
export function normalizeRef(image: string): string {
  let name = image;
  let digest = '';
  const at = name.indexOf('@');
  if (at !== -1) {
    digest = name.slice(at);
    name = name.slice(0, at);
  }
  let tag = '';
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) {
    tag = name.slice(colon);
    name = name.slice(0, colon);
  }
  const first = name.split('/')[0] ?? '';
  const hasHost = name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasHost) name = `docker.io/${name.includes('/') ? name : `library/${name}`}`;
  if (!tag && !digest) tag = ':latest';
  return `${name}${tag}${digest}`;
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/**
 * Whether `ctr images pull` should speak plain HTTP to the registry of a reference: only when its
 * host is this machine's loopback (127.0.0.0/8, localhost, [::1]), which Docker too treats as insecure.
 * Takes a reference as normalizeRef returns it (the host first).
 */
export function plainHttpRegistry(ref: string): boolean {
  const first = ref.split('/')[0] ?? '';
  if (!ref.includes('/')) return false;
  // host[:port] or [v6]:port
  const host = (first.startsWith('[') ? first.slice(1, first.indexOf(']')) : first.replace(/:\d*$/, '')).toLowerCase();
  if (host === 'localhost') return true;
  if (isIPv4(host)) return LOOPBACK.check(host, 'ipv4');
  if (isIPv6(host)) return LOOPBACK.check(host, 'ipv6');
  return false;
}

export interface TaskState {
  pid: number;
  /** RUNNING, STOPPED, CREATED, PAUSED... as ctr prints it */
  status: string;
}

/** `ctr tasks ls`: TASK PID STATUS, one task a line after the header. */
export function parseTasks(text: string): Map<string, TaskState> {
  const tasks = new Map<string, TaskState>();
  for (const line of text.split('\n').slice(1)) {
    const [id, pid, status] = line.trim().split(/\s+/);
    if (id && pid && status) tasks.set(id, { pid: Number(pid), status });
  }
  return tasks;
}

/** `ctr containers ls`: CONTAINER IMAGE RUNTIME, one container a line after the header. */
export function parseContainers(text: string): Map<string, string> {
  const containers = new Map<string, string>();
  for (const line of text.split('\n').slice(1)) {
    const [id, image] = line.trim().split(/\s+/);
    if (id) containers.set(id, image ?? '-');
  }
  return containers;
}

/** A mount of an OCI runtime spec, as `ctr containers info` prints it. */
export interface SpecMount {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
}

// What a resolver reads (nc, wget... in the toolkit look names up through these).
const NAME_FILES = ['/etc/hosts', '/etc/resolv.conf'];

/**
 * The target's /etc/hosts and /etc/resolv.conf, when they are bind mounts of files on this machine
 * (nerdctl and the CRI write them so), as read-only `ctr run --mount` options for the debugger:
 * with them, names resolve in the debugger as in the target, as Docker does for a container that
 * shares another's network. The last mount on a path is the one the target sees. A source ctr's
 * option syntax cannot carry (a comma) is left out.
 */
export function nameFileMounts(mounts: readonly SpecMount[]): Array<{ source: string; option: string }> {
  return NAME_FILES.flatMap((destination) => {
    const m = mounts.findLast((x) => x.destination === destination);
    const bind = m?.type === 'bind' || m?.options?.some((o) => o === 'bind' || o === 'rbind');
    if (!m?.source?.startsWith('/') || !bind || m.source.includes(',')) return [];
    return [{ source: m.source, option: `--mount=type=bind,src=${m.source},dst=${destination},options=rbind:ro` }];
  });
}

/** `-q` output: one word a line. */
export function words(text: string): string[] {
  return text.split('\n').map((l) => l.trim()).filter(Boolean);
}

/** An exact ID, else every ID that starts with the prefix. */
export function matchId(ids: readonly string[], wanted: string): string[] {
  if (ids.includes(wanted)) return [wanted];
  return ids.filter((id) => id.startsWith(wanted));
}

/** The short form people read, as Docker shows IDs. */
export function shortId(id: string): string {
  return /^[0-9a-f]{64}$/.test(id) ? id.slice(0, 12) : id;
}

/** ctr's own failure, the last line it printed ("ctr: failed to ...: reason"), without the prefix. */
export function ctrReason(stderr: string): string {
  const lines = words(stderr.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ''));
  const own = [...lines].reverse().find((l) => l.startsWith('ctr: ')) ?? lines.at(-1) ?? 'ctr failed';
  return own.replace(/^ctr: /, '');
}

const UNITS: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, KB: 1e3, MB: 1e6, GB: 1e9 };
const bytes = (n: string, unit: string) => Math.round(Number(n) * (UNITS[unit] ?? 1));

/**
 * One line of `ctr images pull` progress, e.g.
 *   layer-sha256:4f2a...:   downloading |++++----|  1.2 MiB/3.9 MiB
 * as a PullEvent; undefined for the other lines (elapsed time, blank).
 */
export function parsePullLine(image: string, raw: string): PullEvent | undefined {
  const line = raw.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').trim();
  const m = /^(\S+?):\s+([a-z][a-z ]*?)\s*\|[^|]*\|\s*(?:([\d.]+)\s*([KMG]?i?B)\s*\/\s*([\d.]+)\s*([KMG]?i?B))?/.exec(line);
  if (!m) return undefined;
  const event: PullEvent = { image, id: m[1], status: m[2]! };
  if (m[3] && m[5]) {
    event.current = bytes(m[3], m[4]!);
    event.total = bytes(m[5], m[6]!);
  }
  return event;
}

/** When a process started, from /proc/PID/stat (clock ticks since boot) and the boot time. */
export function processStart(stat: string, bootTimeSeconds: number, ticksPerSecond = 100): Date | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[19]);
  if (!Number.isFinite(ticks) || !bootTimeSeconds) return undefined;
  return new Date((bootTimeSeconds + ticks / ticksPerSecond) * 1000);
}
