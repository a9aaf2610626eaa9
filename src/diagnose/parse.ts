/**
 * Reads what collect.sh printed into the parts of a Report. Pure: tested on captured text.
 */
import type { CheckResult, ListeningSocket, Mount, ProcessEntry, Report, UnixSocket } from './report.js';

export type Sections = Map<string, string[]>;

export function splitSections(text: string): Sections {
  const sections: Sections = new Map();
  let current: string[] | undefined;
  for (const line of text.split('\n')) {
    const header = /^@@@ (\S+)$/.exec(line);
    if (header) {
      current = [];
      sections.set(header[1]!, current);
    } else if (current && line !== '') {
      current.push(line);
    }
  }
  return sections;
}

interface RawProcess extends ProcessEntry {
  fds: string[];
}

/** /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses. */
function parseStat(stat: string): { comm: string; state: string; ppid: number } | undefined {
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  if (open === -1 || close === -1) return undefined;
  const rest = stat.slice(close + 2).split(' ');
  return { comm: stat.slice(open + 1, close), state: rest[0] ?? '?', ppid: Number(rest[1] ?? 0) };
}

export function parsePasswd(lines: string[] = []): Map<number, string> {
  const users = new Map<number, string>();
  for (const line of lines) {
    const [name, , uid] = line.split(':');
    if (name && uid !== undefined && /^\d+$/.test(uid)) users.set(Number(uid), name);
  }
  return users;
}

export function parseProcesses(lines: string[] = [], users = new Map<number, string>()): RawProcess[] {
  const out: RawProcess[] = [];
  let p: RawProcess | undefined;
  for (const line of lines) {
    const tag = line.slice(0, 1);
    const value = line.slice(2);
    if (tag === 'P') {
      p = { pid: Number(value), ppid: 0, user: '', state: '?', rssBytes: 0, command: '', fds: [] };
      out.push(p);
    } else if (!p) {
      continue;
    } else if (tag === 'S') {
      const stat = parseStat(value);
      if (stat) Object.assign(p, { state: stat.state, ppid: stat.ppid, command: `[${stat.comm}]` });
    } else if (tag === 'U' && value) {
      p.user = users.get(Number(value)) ?? value;
    } else if (tag === 'R' && value) {
      p.rssBytes = Number(value) * 1024;
    } else if (tag === 'C' && value.trim()) {
      p.command = value.trim();
    } else if (tag === 'F' && value && !/^\d+$/.test(value)) {
      p.fds.push(value);
    }
  }
  return out.filter((proc) => proc.ppid !== undefined);
}

/**
 * Drops sidekick's own processes: the collector and everything under the debugger's main process,
 * which entered the target's pid namespace from outside (parent 0) and is not PID 1.
 */
export function withoutDebugger(processes: RawProcess[], self: number): RawProcess[] {
  const byPid = new Map(processes.map((p) => [p.pid, p]));
  let anchor = byPid.get(self);
  while (anchor && anchor.ppid !== 0 && byPid.has(anchor.ppid)) anchor = byPid.get(anchor.ppid);
  if (!anchor || anchor.pid === 1) return processes.filter((p) => p.pid !== self);
  const excluded = new Set([anchor.pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of processes) {
      if (!excluded.has(p.pid) && excluded.has(p.ppid)) {
        excluded.add(p.pid);
        grew = true;
      }
    }
  }
  return processes.filter((p) => !excluded.has(p.pid));
}

function hexIPv4(hex: string): string {
  const n = Number.parseInt(hex, 16);
  return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255].join('.');
}

function hexIPv6(hex: string): string {
  // four little-endian 32-bit words
  const bytes: number[] = [];
  for (let w = 0; w < 4; w++) {
    const word = hex.slice(w * 8, w * 8 + 8);
    for (let b = 3; b >= 0; b--) bytes.push(Number.parseInt(word.slice(b * 2, b * 2 + 2), 16));
  }
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  const full = groups.join(':');
  if (full.startsWith('0:0:0:0:0:ffff:')) return hexIPv4(hex.slice(24));
  return full.replace(/(^|:)0(:0)+(:|$)/, '::').replace(/:{3,}/, '::');
}

function parseEndpoint(field: string): { address: string; port: number; v6: boolean } {
  const [addr = '', port = '0'] = field.split(':');
  const v6 = addr.length === 32;
  return { address: v6 ? hexIPv6(addr) : hexIPv4(addr), port: Number.parseInt(port, 16), v6 };
}

export interface SocketTables {
  listening: ListeningSocket[];
  establishedTcp: number;
  unixListening: UnixSocket[];
}

export function parseSockets(sections: Sections, processes: RawProcess[]): SocketTables {
  const owner = new Map<string, RawProcess>();
  for (const p of processes) {
    for (const fd of p.fds) {
      const inode = /^socket:\[(\d+)\]$/.exec(fd)?.[1];
      if (inode && !owner.has(inode)) owner.set(inode, p);
    }
  }
  const who = (inode: string) => {
    const p = owner.get(inode);
    return { pid: p?.pid ?? null, process: p ? p.command : null };
  };
  const listening: ListeningSocket[] = [];
  let establishedTcp = 0;
  for (const [proto, listenState] of [
    ['tcp', '0A'],
    ['udp', '07'],
  ] as const) {
    for (const line of sections.get(proto) ?? []) {
      const f = line.trim().split(/\s+/);
      if (f[0] === 'sl' || f.length < 10) continue;
      const local = parseEndpoint(f[1]!);
      const remote = parseEndpoint(f[2]!);
      const state = f[3]!;
      if (proto === 'tcp' && state === '01') establishedTcp++;
      const isListening = proto === 'tcp' ? state === listenState : remote.port === 0 && state === listenState;
      if (!isListening) continue;
      const protocol = `${proto}${local.v6 ? '6' : ''}` as ListeningSocket['protocol'];
      listening.push({ protocol, address: local.address, port: local.port, ...who(f[9]!) });
    }
  }
  const unixListening: UnixSocket[] = [];
  for (const line of sections.get('unix') ?? []) {
    const f = line.trim().split(/\s+/);
    if (f[0] === 'Num' || f.length < 7) continue;
    // Flags 00010000 = accepting connections; state 01 = unconnected (listening)
    if (f[3] === '00010000' && f[5] === '01') unixListening.push({ path: f[7] ?? '(unnamed)', ...who(f[6]!) });
  }
  listening.sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
  return { listening, establishedTcp, unixListening };
}

export function parseInterfaces(lines: string[] = []): Array<{ name: string; addresses: string[] }> {
  const byName = new Map<string, string[]>();
  for (const line of lines) {
    const f = line.trim().split(/\s+/);
    const name = f[1]?.replace(/:$/, '').replace(/@.*/, '');
    if (!name || (f[2] !== 'inet' && f[2] !== 'inet6')) continue;
    if (!byName.has(name)) byName.set(name, []);
    byName.get(name)!.push(f[3]!);
  }
  return [...byName].map(([name, addresses]) => ({ name, addresses }));
}

export function parseResolvConf(lines: string[] = []): Report['network']['resolvConf'] {
  const conf = { nameservers: [] as string[], search: [] as string[], options: [] as string[] };
  for (const line of lines) {
    const [key, ...values] = line.trim().split(/\s+/);
    if (key === 'nameserver' && values[0]) conf.nameservers.push(values[0]);
    else if (key === 'search' || key === 'domain') conf.search.push(...values);
    else if (key === 'options') conf.options.push(...values);
  }
  return conf;
}

const PSEUDO_FS = new Set(['proc', 'sysfs', 'cgroup', 'cgroup2', 'devpts', 'mqueue', 'tmpfs-none', 'securityfs', 'debugfs', 'tracefs']);

export function parseMounts(mountinfo: string[] = [], space: string[] = []): Mount[] {
  const sizes = new Map<string, { size: number; free: number }>();
  for (const line of space) {
    const [mountPoint, block, total, avail] = line.split(' ');
    if (mountPoint && block && total && avail) sizes.set(mountPoint, { size: Number(total) * Number(block), free: Number(avail) * Number(block) });
  }
  const mounts: Mount[] = [];
  for (const line of mountinfo) {
    const [before, after] = line.split(' - ');
    if (!before || !after) continue;
    const f = before.split(' ');
    const [type = '', source = '', superOptions = ''] = after.split(' ');
    const mountPoint = (f[4] ?? '').replace(/\\040/g, ' ');
    const readOnly = (f[5] ?? '').split(',').includes('ro') || superOptions.split(',').includes('ro');
    const writableData = !readOnly && !PSEUDO_FS.has(type);
    const space = writableData ? sizes.get(f[4] ?? '') : undefined;
    mounts.push({ mountPoint, type, source, readOnly, sizeBytes: space?.size ?? null, freeBytes: space?.free ?? null });
  }
  return mounts;
}

const SECRET_NAME = /PASS(WORD|WD)?|TOKEN|SECRET|KEY|CREDENTIAL|PRIVATE|AUTH|COOKIE|SESSION|SIGNATURE|CERT|DSN/i;
export const REDACTED = '<redacted>';

const ENVIRON_PAIR = /^[^=\s]+=/;

/**
 * The target's environment, as a session gets it: PID 1's /proc environ (one entry per line; a line
 * that is no NAME=VALUE continues a value with a newline) only while it starts with a NAME=VALUE pair,
 * since a process title (nginx, Redis, postgres) writes over it, then what the engine configured,
 * whose values win.
 */
export function targetEnvironment(configured: readonly string[] = [], environ: string[] = []): Map<string, string> {
  const env = new Map<string, string>();
  const first = environ.find((line) => line !== '');
  if (first !== undefined && ENVIRON_PAIR.test(first)) {
    let last: string | undefined;
    for (const line of environ) {
      if (ENVIRON_PAIR.test(line)) {
        last = line.slice(0, line.indexOf('='));
        env.set(last, line.slice(last.length + 1));
      } else if (last !== undefined && line !== '') env.set(last, `${env.get(last)}\n${line}`);
    }
  }
  for (const entry of configured) {
    const eq = entry.indexOf('=');
    if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return env;
}

/** An environment with secret-looking values hidden (and passwords inside URLs). */
export function redactEnvironment(env: ReadonlyMap<string, string>): Record<string, string> {
  const shown: Record<string, string> = {};
  for (const [name, value] of env) {
    shown[name] = SECRET_NAME.test(name) ? REDACTED : value.replace(/(\w+:\/\/[^:/@\s]+):[^@\s]+@/g, `$1:${REDACTED}@`);
  }
  return shown;
}

function number(text: string | undefined): number | null {
  if (text === undefined || text.trim() === '' || text.trim() === 'max') return null;
  const n = Number(text.trim());
  return Number.isFinite(n) ? n : null;
}

// cgroup v1 writes "no limit" as a number near 2^63
const UNLIMITED = 2 ** 60;

export function parseLimits(cgroupLines: string[] = [], limits: string[] = [], pid1Fds: number | null): Report['limits'] {
  const files = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of cgroupLines) {
    if (line.startsWith('# ')) {
      current = [];
      files.set(line.slice(2), current);
    } else current?.push(line);
  }
  const one = (name: string) => files.get(name)?.[0];
  const keyed = (name: string, key: string) =>
    number(files.get(name)?.find((l) => l.startsWith(`${key} `))?.split(' ')[1]);
  const v2 = files.has('memory.max') || files.has('cgroup.controllers');
  const v1 = files.has('memory/memory.limit_in_bytes');
  const cap = (n: number | null) => (n !== null && n >= UNLIMITED ? null : n);

  let quotaCores: number | null = null;
  if (v2) {
    const [quota, period] = (one('cpu.max') ?? 'max').split(' ');
    if (quota !== 'max' && period) quotaCores = Number(quota) / Number(period);
  } else {
    const quota = number(one('cpu/cpu.cfs_quota_us') ?? one('cpu,cpuacct/cpu.cfs_quota_us'));
    const period = number(one('cpu/cpu.cfs_period_us') ?? one('cpu,cpuacct/cpu.cfs_period_us'));
    if (quota !== null && quota > 0 && period) quotaCores = quota / period;
  }
  const openFilesLine = limits.find((l) => l.startsWith('Max open files'));
  const openFilesLimit = openFilesLine ? number(openFilesLine.slice('Max open files'.length).trim().split(/\s+/)[0]) : null;

  return {
    cgroupVersion: v2 ? 2 : v1 ? 1 : null,
    memory: v2
      ? { limitBytes: number(one('memory.max')), usageBytes: number(one('memory.current')), oomKills: keyed('memory.events', 'oom_kill') }
      : {
          limitBytes: cap(number(one('memory/memory.limit_in_bytes'))),
          usageBytes: number(one('memory/memory.usage_in_bytes')),
          oomKills: keyed('memory/memory.oom_control', 'oom_kill'),
        },
    cpu: { quotaCores },
    pids: v2
      ? { limit: number(one('pids.max')), current: number(one('pids.current')) }
      : { limit: number(one('pids/pids.max')), current: number(one('pids/pids.current')) },
    openFiles: { pid1: pid1Fds, limit: openFilesLimit },
  };
}

/** The in-target probes (tcp, http, dns) as collect.sh reported them. */
export function parseCheckOutput(lines: string[] = []): Array<{ kind: string; status: number; durationMs: number; subject: string; output: string[] }> {
  const out: Array<{ kind: string; status: number; durationMs: number; subject: string; output: string[] }> = [];
  for (const line of lines) {
    if (line.startsWith('K ')) {
      const [, kind = '', status = '1', cs = '0', ...subject] = line.split(' ');
      out.push({ kind, status: Number(status), durationMs: Number(cs) * 10, subject: subject.join(' '), output: [] });
    } else if (line.startsWith('O ')) {
      out.at(-1)?.output.push(line.slice(2));
    }
  }
  return out;
}

export type { RawProcess, CheckResult };
