import { describe, expect, it } from 'vitest';
import { formatText } from '../../src/diagnose/format.js';
import type { ProcessEntry, Report } from '../../src/diagnose/report.js';

/** A report with nothing but a process chain `depth` deep, its PIDs four digits wide. */
function reportWithChain(depth: number): Report {
  const processes: ProcessEntry[] = [{ pid: 1, ppid: 0, user: 'root', state: 'S', rssBytes: 1024, command: 'init' }];
  for (let i = 0; i < depth; i++) processes.push({ pid: 1000 + i, ppid: i === 0 ? 1 : 999 + i, user: 'root', state: 'S', rssBytes: 1024, command: `level-${i}` });
  return {
    schemaVersion: 1 as Report['schemaVersion'],
    generatedAt: new Date(0).toISOString(),
    durationMs: 1,
    target: { address: 'docker://x', engine: 'docker', id: 'x', name: 'x', image: 'i', entrypoint: [], command: [], user: '', startedAt: null, restartCount: 0, state: 'running' },
    processes,
    network: { interfaces: [], routes: [], listening: [], unixListening: [], established: { tcp: 0 }, resolvConf: { nameservers: [], search: [], options: [] } },
    filesystem: { mounts: [] },
    environment: {},
    limits: { cgroupVersion: 2, memory: { limitBytes: null, usageBytes: null, oomKills: null }, cpu: { quotaCores: null }, pids: { limit: null, current: null }, openFiles: { pid1: null, limit: null } },
    checks: [],
    warnings: [],
  };
}

describe('diagnose text report', () => {
  it('keeps PID and PPID apart however deep the process tree goes', () => {
    const text = formatText(reportWithChain(6), false);
    const rows = text.split('\n').filter((l) => /level-\d$/.test(l));
    expect(rows).toHaveLength(6);
    for (const [i, row] of rows.entries()) {
      const [pid, ppid] = row.trim().split(/\s+/);
      expect([pid, ppid]).toEqual([String(1000 + i), String(i === 0 ? 1 : 999 + i)]);
    }
    // the header's columns line up with the rows'
    const header = text.split('\n').find((l) => l.includes('PPID'))!;
    expect(header.indexOf("PPID")).toBe(rows[5]!.indexOf("1004"));
  });
});
