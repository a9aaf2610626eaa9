/** The report for people: text that fits 100 columns (colour only on a TTY, NO_COLOR honoured) or Markdown. */
import { targetRuns, type ProcessEntry, type Report } from './report.js';

const WIDTH = 100;

/** Mounts a person looks at: data, not the kernel's pseudo filesystems and masks. */
export function interestingMount(m: { mountPoint: string; type: string }): boolean {
  if (['proc', 'sysfs', 'cgroup', 'cgroup2', 'devpts', 'mqueue'].includes(m.type)) return false;
  return !/^\/(proc|sys)(\/|$)/.test(m.mountPoint);
}

export function useColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && env.NO_COLOR === undefined && env.TERM !== 'dumb';
}

export function bytes(n: number | null): string {
  if (n === null) return 'unlimited';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 10 || i === 0 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}

function clip(line: string): string {
  return line.length > WIDTH ? `${line.slice(0, WIDTH - 1)}…` : line;
}

/** Processes as a tree: children under their parent, indented. */
export function processTree(processes: ProcessEntry[]): Array<{ depth: number; p: ProcessEntry }> {
  const pids = new Set(processes.map((p) => p.pid));
  const children = new Map<number, ProcessEntry[]>();
  for (const p of processes) {
    const parent = pids.has(p.ppid) ? p.ppid : 0;
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent)!.push(p);
  }
  const out: Array<{ depth: number; p: ProcessEntry }> = [];
  const walk = (pid: number, depth: number) => {
    for (const p of (children.get(pid) ?? []).sort((a, b) => a.pid - b.pid)) {
      out.push({ depth, p });
      walk(p.pid, depth + 1);
    }
  };
  walk(0, 0);
  return out;
}

function limitLines(r: Report): Array<[string, string, boolean]> {
  const m = r.limits.memory;
  const pct = m.limitBytes && m.usageBytes !== null ? ` (${Math.round((m.usageBytes / m.limitBytes) * 100)}%)` : '';
  const oom = m.oomKills === null ? 'OOM kills unknown' : `OOM kills ${m.oomKills}`;
  return [
    ['memory', `${bytes(m.usageBytes)} of ${bytes(m.limitBytes)}${pct}, ${oom}`, (m.oomKills ?? 0) > 0],
    ['cpu', r.limits.cpu.quotaCores === null ? 'no quota' : `${r.limits.cpu.quotaCores} cores`, false],
    ['pids', `${r.limits.pids.current ?? '?'} of ${r.limits.pids.limit ?? 'unlimited'}`, false],
    ['open files', `${r.limits.openFiles.pid1 ?? '?'} of ${r.limits.openFiles.limit ?? '?'} (PID 1)`, false],
  ];
}

export function formatText(r: Report, colour: boolean): string {
  const c = (code: string, s: string) => (colour ? `\x1b[${code}m${s}\x1b[0m` : s);
  const head = (s: string) => c('1', s);
  const lines: string[] = [];
  const t = r.target;
  lines.push(head(`sidekick diagnose ${t.address}`) + `  (${(r.durationMs / 1000).toFixed(1)} s)`);
  lines.push('', head('IDENTITY'));
  lines.push(`  image       ${t.image}`);
  lines.push(`  entrypoint  ${t.entrypoint.join(' ') || '-'}    command ${t.command.join(' ') || '-'}`);
  lines.push(`  user        ${t.user || 'root'}    state ${t.state}    restarts ${t.restartCount}    started ${t.startedAt ?? '?'}`);
  const runs = targetRuns(r);
  if (!runs) {
    const oom = t.oomKilled === null || t.oomKilled === undefined ? '' : `    OOM-killed ${t.oomKilled ? c('33', 'yes') : 'no'}`;
    lines.push(`  exit code   ${t.exitCode ?? '?'}${oom}    finished ${t.finishedAt ?? '?'}`);
  }

  // a target that does not run has no processes, network, mounts or usage to show: its engine's facts only
  if (runs) formatRuntimeSections(r, lines, head);

  lines.push('', head('ENVIRONMENT'));
  for (const [k, v] of Object.entries(r.environment)) lines.push(`  ${k}=${v}`);

  if (runs) {
    lines.push('', head('LIMITS'));
    for (const [name, text, alarm] of limitLines(r)) lines.push(`  ${name.padEnd(11)} ${alarm ? c('33', text) : text}`);
  } else if (r.limits.memory.limitBytes !== null) {
    lines.push('', head('LIMITS'), `  memory      ${bytes(r.limits.memory.limitBytes)}`);
  }

  if (r.checks.length) {
    lines.push('', head('CHECKS'));
    for (const k of r.checks) {
      const mark = k.ok ? c('32', 'PASS') : c('31', 'FAIL');
      lines.push(`  ${mark}  ${k.spec}  ${k.reason} (${k.durationMs} ms)`);
    }
  }
  const clipped = lines.map(clip);
  // warnings are sentences: wrapped, not cut
  for (const w of r.warnings) clipped.push('', ...wrap(`warning: ${w}`, WIDTH).map((line) => c('33', line)));
  return `${clipped.join('\n')}\n`;
}

/** Words into lines of at most `width` columns (a longer word on a line of its own). */
function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = `  ${word}`;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}

/** PROCESSES, NETWORK and FILESYSTEM of a target that runs. */
function formatRuntimeSections(r: Report, lines: string[], head: (s: string) => string): void {
  const tree = processTree(r.processes).map(({ depth, p }) => ({ p, pid: `${'  '.repeat(depth)}${p.pid}` }));
  // a deep tree widens the PID column rather than running into PPID
  const pidWidth = Math.max(8, ...tree.map(({ pid }) => pid.length + 2));
  const ppidWidth = Math.max(8, ...tree.map(({ p }) => String(p.ppid).length + 2));
  lines.push('', head('PROCESSES'), `  ${'PID'.padEnd(pidWidth)}${'PPID'.padEnd(ppidWidth)}USER       STATE  RSS        COMMAND`);
  for (const { p, pid } of tree) {
    lines.push(`  ${pid.padEnd(pidWidth)}${String(p.ppid).padEnd(ppidWidth)}${(p.user || '?').padEnd(11)}${p.state.padEnd(7)}${bytes(p.rssBytes).padEnd(11)}${p.command}`);
  }

  lines.push('', head('NETWORK'));
  for (const i of r.network.interfaces) lines.push(`  ${i.name.padEnd(10)}${i.addresses.join('  ')}`);
  for (const route of r.network.routes) lines.push(`  route     ${route}`);
  for (const s of r.network.listening) {
    lines.push(`  listen    ${s.protocol.padEnd(5)} ${`${s.address}:${s.port}`.padEnd(24)} ${s.pid === null ? '' : `pid ${s.pid} ${s.process}`}`);
  }
  for (const s of r.network.unixListening) lines.push(`  listen    unix  ${s.path.padEnd(24)} ${s.pid === null ? '' : `pid ${s.pid} ${s.process}`}`);
  lines.push(`  established tcp connections: ${r.network.established.tcp}`);
  const dns = r.network.resolvConf;
  lines.push(`  dns       nameservers ${dns.nameservers.join(' ') || '-'}${dns.search.length ? `; search ${dns.search.join(' ')}` : ''}`);

  lines.push('', head('FILESYSTEM'));
  for (const m of r.filesystem.mounts.filter(interestingMount)) {
    const space = m.freeBytes === null ? '' : `  ${bytes(m.freeBytes)} free of ${bytes(m.sizeBytes)}`;
    lines.push(`  ${m.mountPoint.padEnd(28)} ${m.type.padEnd(8)} ${m.readOnly ? 'ro' : 'rw'}${space}`);
  }
}

const cell = (s: string | number | null) => String(s ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function formatMarkdown(r: Report): string {
  const t = r.target;
  const out: string[] = [];
  const table = (head: string[], rows: Array<Array<string | number | null>>) => {
    out.push(`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`);
    for (const row of rows) out.push(`| ${row.map(cell).join(' | ')} |`);
    out.push('');
  };
  out.push(`## sidekick diagnose \`${t.address}\``, '');
  const failed = r.checks.filter((k) => !k.ok).length;
  if (r.checks.length) out.push(failed ? `**${failed} of ${r.checks.length} checks failed.**` : `All ${r.checks.length} checks passed.`, '');
  table(['image', 'entrypoint', 'command', 'user', 'state', 'restarts', 'started'], [
    [t.image, t.entrypoint.join(' '), t.command.join(' '), t.user || 'root', t.state, t.restartCount, t.startedAt],
  ]);
  const runs = targetRuns(r);
  if (!runs) {
    table(['exit code', 'OOM-killed', 'finished'], [[t.exitCode ?? '', t.oomKilled == null ? '' : t.oomKilled ? 'yes' : 'no', t.finishedAt ?? '']]);
  }
  if (r.checks.length) {
    out.push('### Checks', '');
    table(['', 'check', 'result', 'time'], r.checks.map((k) => [k.ok ? '✅' : '❌', `\`${k.spec}\``, k.reason, `${k.durationMs} ms`]));
  }
  // a target that does not run: nothing more than its engine's facts and the warning
  if (!runs) {
    for (const w of r.warnings) out.push(`> warning: ${w}`, '');
    return `${out.join('\n')}\n`;
  }
  out.push('### Limits', '');
  table(['', 'value'], limitLines(r).map(([name, text]) => [name, text]));
  out.push('### Processes', '');
  table(['PID', 'PPID', 'user', 'state', 'RSS', 'command'], processTree(r.processes).map(({ depth, p }) => [`${'&nbsp;&nbsp;'.repeat(depth)}${p.pid}`, p.ppid, p.user, p.state, bytes(p.rssBytes), `\`${p.command}\``]));
  out.push('### Listening sockets', '');
  table(['proto', 'address', 'process'], [
    ...r.network.listening.map((s) => [s.protocol, `${s.address}:${s.port}`, s.pid === null ? '' : `${s.pid} ${s.process}`]),
    ...r.network.unixListening.map((s) => ['unix', s.path, s.pid === null ? '' : `${s.pid} ${s.process}`]),
  ]);
  out.push('### Mounts', '');
  table(['mount', 'type', 'mode', 'free'], r.filesystem.mounts.filter(interestingMount).map((m) => [m.mountPoint, m.type, m.readOnly ? 'ro' : 'rw', m.freeBytes === null ? '' : `${bytes(m.freeBytes)} of ${bytes(m.sizeBytes)}`]));
  for (const w of r.warnings) out.push(`> warning: ${w}`, '');
  return `${out.join('\n')}\n`;
}
