import { describe, expect, it } from 'vitest';
import { parseCheck, probeArgs } from '../../src/diagnose/checks.js';
import { processTree } from '../../src/diagnose/format.js';
import {
  parseLimits,
  parseMounts,
  parseProcesses,
  parseSockets,
  redactEnvironment,
  targetEnvironment,
  splitSections,
  withoutDebugger,
} from '../../src/diagnose/parse.js';
import { parseDuration } from '../../src/duration.js';

const PROCS = [
  'P 1', 'S 1 (server) S 0 1 1 0', 'U 65532', 'R 708', 'C /app/server ', 'F 0', 'F /dev/null', 'F socket:[111]',
  'P 7', 'S 7 (sh) S 0 7 7 0', 'U 0', 'R 100', 'C sh -c eval "$SIDEKICK_ENTRY" sidekick ',
  'P 9', 'S 9 (sh) S 7 9 9 0', 'U 0', 'R 100', 'C sh -c collect ',
  'P 12', 'S 12 (worker (x)) R 1 1 1 0', 'U 65532', 'R 50', 'C ',
];

describe('diagnose parsing', () => {
  it('reads processes, names users, and leaves sidekick out', () => {
    const all = parseProcesses(PROCS, new Map([[65532, 'nonroot']]));
    expect(all.find((p) => p.pid === 12)).toMatchObject({ ppid: 1, state: 'R', user: 'nonroot', command: '[worker (x)]', rssBytes: 50 * 1024 });
    const target = withoutDebugger(all, 9);
    expect(target.map((p) => p.pid)).toEqual([1, 12]);
    expect(processTree(target).map(({ depth, p }) => [depth, p.pid])).toEqual([[0, 1], [1, 12]]);
  });

  it('reads listening sockets, IPv4 and IPv6, with their owners', () => {
    const sections = splitSections(
      [
        '@@@ tcp',
        '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
        '   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 65532        0 111 1',
        '   1: 0100007F:17B4 00000000:0000 0A 00000000:00000000 00:00000000 00000000 65532        0 222 1',
        '   2: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000 65532        0 333 1',
        '   0: 00000000000000000000000001000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 444 1',
        '@@@ unix',
        'Num       RefCount Protocol Flags    Type St Inode Path',
        '0000: 00000002 00000000 00010000 0001 01 555 /run/app.sock',
      ].join('\n'),
    );
    const procs = parseProcesses(PROCS);
    const s = parseSockets(sections, procs);
    expect(s.listening).toEqual([
      { protocol: 'tcp6', address: '::1', port: 80, pid: null, process: null },
      { protocol: 'tcp', address: '127.0.0.1', port: 6068, pid: null, process: null },
      { protocol: 'tcp', address: '0.0.0.0', port: 8080, pid: 1, process: '/app/server' },
    ]);
    expect(s.establishedTcp).toBe(1);
    expect(s.unixListening).toEqual([{ path: '/run/app.sock', pid: null, process: null }]);
  });

  it('reads mounts, read-only flags and free space of writable ones', () => {
    const mounts = parseMounts(
      [
        '100 90 0:50 / / ro,relatime - overlay overlay rw,lowerdir=x',
        '101 100 0:51 / /proc rw,nosuid - proc proc rw',
        '102 100 8:1 /x /data rw,relatime - ext4 /dev/vda rw',
      ],
      ['/ 4096 100 50', '/data 4096 1000 10'],
    );
    expect(mounts).toEqual([
      { mountPoint: '/', type: 'overlay', source: 'overlay', readOnly: true, sizeBytes: null, freeBytes: null },
      { mountPoint: '/proc', type: 'proc', source: 'proc', readOnly: false, sizeBytes: null, freeBytes: null },
      { mountPoint: '/data', type: 'ext4', source: '/dev/vda', readOnly: false, sizeBytes: 4096000, freeBytes: 40960 },
    ]);
  });

  it('reads cgroup v1 and v2 limits and OOM kills', () => {
    const v1 = parseLimits(
      ['# memory/memory.limit_in_bytes', '67108864', '# memory/memory.usage_in_bytes', '1000', '# memory/memory.oom_control', 'oom_kill_disable 0', 'under_oom 0', 'oom_kill 3', '# pids/pids.max', 'max', '# pids/pids.current', '4', '# cpu/cpu.cfs_quota_us', '50000', '# cpu/cpu.cfs_period_us', '100000'],
      ['Max open files            1024                 4096                 files'],
      7,
    );
    expect(v1).toEqual({
      cgroupVersion: 1,
      memory: { limitBytes: 67108864, usageBytes: 1000, oomKills: 3 },
      cpu: { quotaCores: 0.5 },
      pids: { limit: null, current: 4 },
      openFiles: { pid1: 7, limit: 1024 },
    });
    const v2 = parseLimits(['# memory.max', 'max', '# memory.current', '5', '# memory.events', 'low 0', 'oom 2', 'oom_kill 2', '# cpu.max', '200000 100000', '# cgroup.controllers', 'cpu memory'], [], null);
    expect(v2.cgroupVersion).toBe(2);
    expect(v2.memory).toEqual({ limitBytes: null, usageBytes: 5, oomKills: 2 });
    expect(v2.cpu.quotaCores).toBe(2);
    expect(parseLimits(['# memory/memory.limit_in_bytes', '9223372036854771712'], [], null).memory.limitBytes).toBeNull();
  });

  it('redacts secret-looking values', () => {
    expect(redactEnvironment(targetEnvironment([], ['DB_PASSWORD=x', 'GITHUB_TOKEN=y', 'AWS_SECRET_ACCESS_KEY=z', 'URL=https://u:p@h/x', 'MODE=a=b']))).toEqual({
      DB_PASSWORD: '<redacted>',
      GITHUB_TOKEN: '<redacted>',
      AWS_SECRET_ACCESS_KEY: '<redacted>',
      URL: 'https://u:<redacted>@h/x',
      MODE: 'a=b',
    });
  });

  it("takes the target's environment from the engine, over /proc/1/environ while that holds pairs", () => {
    const env = (configured: string[], environ: string[]) => Object.fromEntries(targetEnvironment(configured, environ));
    // an intact environ: its pairs, a value with a newline kept whole, the engine's values winning
    expect(env(['A=engine', 'C=3'], ['A=proc', 'B=two', 'lines', 'PATH=/bin', ''])).toEqual({ A: 'engine', B: 'two\nlines', PATH: '/bin', C: '3' });
    // a process title over it (nginx, proctitle) or NULs only (Redis): the engine's alone
    expect(env(['APP=x'], ['nginx: master process /usr/sbin/nginx', 'B=leftover'])).toEqual({ APP: 'x' });
    expect(env(['APP=x'], ['', '', ''])).toEqual({ APP: 'x' });
    // a stopped target's copy has no PID 1 of its own, an engine that knows nothing gives nothing
    expect(env(['APP=x'], [])).toEqual({ APP: 'x' });
    expect(env([], ['A=1'])).toEqual({ A: '1' });
  });

  it('parses checks and durations', () => {
    expect(parseCheck('tcp://db:5432')).toEqual({ spec: 'tcp://db:5432', kind: 'tcp', host: 'db', port: 5432 });
    expect(parseCheck('tcp://[::1]:80')).toMatchObject({ host: '::1', port: 80 });
    expect(parseCheck('dns:db')).toMatchObject({ kind: 'dns', name: 'db' });
    expect(parseCheck('port:8080')).toMatchObject({ kind: 'port', port: 8080 });
    expect(parseCheck('https://x/health')).toMatchObject({ kind: 'http' });
    for (const bad of ['tcp://db', 'port:0', 'dns:a b', 'ftp://x', 'process:', 'tcp://$(x):1']) expect(() => parseCheck(bad)).toThrow(/bad --check/);
    expect(probeArgs([parseCheck('tcp://db:1'), parseCheck('port:2'), parseCheck('dns:x')])).toEqual(['tcp', 'db', '1', 'dns', 'x', '-']);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(() => parseDuration('soon')).toThrow(/bad --timeout/);
  });
});
