/** diagnose of a target that does not run: the engine's facts, failed checks, and their text. */
import { describe, expect, it } from 'vitest';
import { assembleStopped } from '../../src/diagnose/diagnose.js';
import { formatMarkdown, formatText } from '../../src/diagnose/format.js';
import { parseCheck } from '../../src/diagnose/checks.js';
import { exitFor } from '../../src/commands/diagnose.js';
import type { Target, TargetDetails } from '../../src/runtimes/runtime.js';

const target: Target = {
  engine: 'docker',
  address: 'docker://api',
  id: 'abc',
  name: 'api',
  image: 'api:1',
  running: false,
  stopped: { state: 'exited', exitCode: 137 },
  config: { env: ['MODE=prod', 'DB_PASSWORD=x'], unknown: [] },
};
const details: TargetDetails = {
  image: 'api:1',
  entrypoint: ['/api'],
  command: [],
  user: '',
  startedAt: '2026-12-01T00:00:00Z',
  restartCount: 2,
  state: 'exited',
  memoryLimit: 64 << 20,
  exitCode: 137,
  oomKilled: true,
  finishedAt: '2026-12-01T00:00:05Z',
};

describe('diagnose of a target that does not run', () => {
  const report = assembleStopped(target, details, [parseCheck('tcp://db:5432')], Date.now());

  it('reports its exit code and OOM kill, its configured environment (redacted), and fails every check', () => {
    expect(report.target).toMatchObject({ state: 'exited', exitCode: 137, oomKilled: true, finishedAt: '2026-12-01T00:00:05Z', restartCount: 2 });
    expect(report.environment).toEqual({ MODE: 'prod', DB_PASSWORD: '<redacted>' });
    expect(report.limits.memory).toEqual({ limitBytes: 64 << 20, usageBytes: null, oomKills: 1 });
    expect(report.checks).toEqual([{ spec: 'tcp://db:5432', kind: 'tcp', ok: false, reason: 'the target is exited (code 137)', durationMs: 0 }]);
    expect(report.warnings).toEqual([expect.stringMatching(/^the target is exited \(code 137\), killed for lack of memory \(OOM\): nothing runs/)]);
    expect(exitFor(report)).toBe(1);
    expect(exitFor({ ...assembleStopped(target, details, [], Date.now()) })).toBe(1);
  });

  it('shows the facts it has, not empty process and network sections; its warning wrapped within 100 columns', () => {
    const text = formatText(report, false);
    expect(text).toMatch(/^  exit code   137    OOM-killed yes    finished 2026-12-01T00:00:05Z$/m);
    expect(text).not.toMatch(/PROCESSES|NETWORK|FILESYSTEM/);
    expect(Math.max(...text.split('\n').map((l) => l.length))).toBeLessThanOrEqual(100);
    expect(text).toContain('sidekick exec');
    expect(formatMarkdown(report)).toContain('| 137 | yes | 2026-12-01T00:00:05Z |');
  });

  it('a container that never ran has no exit code', () => {
    const created = assembleStopped({ ...target, stopped: { state: 'created', exitCode: 0 } }, { ...details, state: 'created', exitCode: null, oomKilled: null, finishedAt: undefined }, [], Date.now());
    expect(created.target).toMatchObject({ state: 'created', exitCode: null, oomKilled: null, finishedAt: null });
    expect(formatText(created, false)).toMatch(/^  exit code   \?    finished \?$/m);
  });
});
