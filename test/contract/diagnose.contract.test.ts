/** `sidekick diagnose` against every engine: facts the fixtures are known to have, checks, exit codes. */
import { Ajv } from 'ajv';
import formats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/diagnose/report.js';
import { expectOneLineError, sidekick } from '../helpers/cli.js';
import { serveDns } from '../helpers/dns.js';
import { eventually, type StartedTarget } from '../helpers/engines.js';
import { debuggersLeft, forScenario, has, itIf } from './engines.js';

const schema = JSON.parse(readFileSync(new URL('../../schema/diagnose-report.schema.json', import.meta.url), 'utf8'));
const ajv = new Ajv({ allErrors: true });
// ajv-formats is CommonJS: its function is the default export's default under NodeNext typing
(formats as unknown as { default: (a: Ajv) => void }).default(ajv);
const validate = ajv.compile(schema);
const MB = 1024 * 1024;
/** a name only the test's resolver knows */
const KNOWN = 'db.sidekick.test';

describe.each(forScenario('diagnose'))('diagnose on $name', (engine) => {
  let server: StartedTarget;
  let oom: StartedTarget;
  let noDns: StartedTarget;
  const run = (args: string[]) => sidekick(['diagnose', ...args], { env: engine.env });
  const report = async (args: string[]) => {
    const r = await run([...args, '--json']);
    expect(r.stderr).toBe('');
    return { exitCode: r.exitCode, report: JSON.parse(r.stdout) as Report };
  };

  beforeAll(async () => {
    await engine.ready();
    [server, oom, noDns] = await Promise.all([
      engine.startTarget({ env: ['API_TOKEN=s3cr3t', 'DATABASE_URL=postgres://app:pw@db/app', `LONG_SETTING=${'x'.repeat(150)}`] }),
      engine.startTarget({ args: ['--oom-child'], memoryBytes: 64 * MB }),
      engine.startTarget({ dns: ['127.0.0.1'] }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([server, oom, noDns].filter(Boolean).map((t) => engine.remove(t)));
    expect(await engine.debuggers()).toEqual([]);
  });

  it('reports what the fixture is known to do, in the documented schema', async () => {
    const { exitCode, report: r } = await report([server.address]);
    expect(exitCode).toBe(0);
    expect(validate(r), JSON.stringify(validate.errors)).toBe(true);
    expect(r.target.address).toBe(server.address);
    expect(r.target.entrypoint).toEqual(has(engine, 'imageConfig') ? ['/app/server'] : []);
    expect(r.processes.find((p) => p.pid === 1)?.command).toBe('/app/server');
    // sidekick's own processes are not in the report
    expect(r.processes.every((p) => !/sidekick|collect/.test(p.command))).toBe(true);
    expect(r.network.listening).toContainEqual({ protocol: 'tcp', address: '0.0.0.0', port: 8080, pid: 1, process: '/app/server' });
    expect(r.network.listening).toContainEqual(expect.objectContaining({ address: '127.0.0.1', port: 6060, pid: 1 }));
    expect(r.network.interfaces.map((i) => i.name)).toContain('lo');
    expect(r.filesystem.mounts.find((m) => m.mountPoint === '/')).toBeDefined();
    expect(r.environment.APP_MODE).toBe('demo');
    expect(r.environment.API_TOKEN).toBe('<redacted>');
    expect(r.environment.DATABASE_URL).toBe('postgres://app:<redacted>@db/app');
    expect(r.limits.openFiles.pid1).toBeGreaterThan(0);
  });

  itIf(engine, 'memoryLimits')('finds the OOM kill of a child while PID 1 survives, and the memory limit', async () => {
    // the child allocates until the cgroup's OOM killer ends it
    expect(
      await eventually(async () => ((await report([oom.address])).report.limits.memory.oomKills ?? 0) >= 1, 20_000, 500),
    ).toBe(true);
    const { report: r } = await report([oom.address]);
    expect(r.limits.memory.limitBytes).toBe(64 * MB);
    // usage comes from the cgroup alone (the limit could come from engine metadata)
    expect(r.limits.memory.usageBytes).toBeGreaterThan(0);
    expect(r.limits.memory.usageBytes!).toBeLessThanOrEqual(64 * MB);
    expect(r.processes.find((p) => p.pid === 1)?.command).toBe('/app/server --oom-child');
    expect(r.target.state).toBe('running');
  });

  it('passes and fails each kind of check, with reasons and exit code 1', async () => {
    const passing = ['tcp://127.0.0.1:8080', 'http://127.0.0.1:8080/health', 'dns:localhost', 'process:server', 'port:6060'];
    const good = await report([server.address, ...passing.flatMap((c) => ['--check', c])]);
    expect(good.exitCode).toBe(0);
    expect(good.report.checks.map((c) => [c.spec, c.ok])).toEqual(passing.map((c) => [c, true]));

    // the target's only nameserver (127.0.0.1) does not answer: a name a working resolver knows fails
    const failing = ['tcp://127.0.0.1:9', 'http://127.0.0.1:8080/missing', `dns:${KNOWN}`, 'process:postgres', 'port:9999'];
    const bad = await report([noDns.address, ...failing.flatMap((c) => ['--check', c])]);
    expect(bad.exitCode).toBe(1);
    expect(bad.report.checks.map((c) => [c.spec, c.ok])).toEqual(failing.map((c) => [c, false]));
    const reasons = Object.fromEntries(bad.report.checks.map((c) => [c.kind, c.reason]));
    expect(reasons.tcp).toMatch(/refused/i);
    expect(reasons.http).toMatch(/404/);
    expect(reasons.dns).toMatch(/cannot resolve db\.sidekick\.test/);
    expect(reasons.process).toMatch(/no process named postgres/);
    expect(reasons.port).toMatch(/nothing listens on port 9999/);
  });

  itIf(engine, 'chosenResolver')("a dns check follows the target's resolver: passes while it answers, fails once it does not", async () => {
    // the same name on the same target: only the resolver differs between the two runs
    const resolver = await serveDns(await engine.pid(noDns), { [KNOWN]: '10.0.0.42' });
    let answered;
    try {
      answered = await report([noDns.address, '--check', `dns:${KNOWN}`]);
    } finally {
      await resolver.stop();
    }
    expect(answered.report.checks.map((c) => [c.ok, c.reason])).toEqual([[true, 'resolves to 10.0.0.42']]);
    expect(answered.exitCode).toBe(0);
    const silent = await report([noDns.address, '--check', `dns:${KNOWN}`]);
    expect(silent.report.checks.map((c) => c.ok)).toEqual([false]);
    expect(silent.report.checks[0]!.reason).toMatch(/^cannot resolve db\.sidekick\.test: /);
    expect(silent.exitCode).toBe(1);
  });

  it('prints a readable report within 100 columns, and Markdown', async () => {
    const text = await run([server.address, '--check', 'port:8080']);
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toMatch(/^PROCESSES$/m);
    expect(text.stdout).toMatch(/PASS\s+port:8080/);
    expect(text.stdout).not.toMatch(/\x1b\[/); // no colour without a terminal
    // the 150-character setting makes a line longer than 100 columns: it is cut, visibly
    expect(Math.max(...text.stdout.split('\n').map((l) => l.length))).toBeLessThanOrEqual(100);
    expect(text.stdout).toMatch(/^  LONG_SETTING=x+…$/m);
    const md = await run([server.address, '--format', 'markdown']);
    expect(md.stdout).toMatch(/^## sidekick diagnose `/);
    expect(md.stdout).toMatch(/^\| PID \| PPID \|/m);
  });

  it('exits 2 with the reason for a check it cannot run', async () => {
    const bad = await run([server.address, '--check', 'ftp://x']);
    expect(bad.exitCode).toBe(2);
    expectOneLineError(bad, /bad --check "ftp:\/\/x"/);
  });

  itIf(engine, 'stoppedTargets')('reports a container that never ran from what its engine knows, no debugger made, and exits 1', async () => {
    const stopped = await engine.createStopped();
    try {
      const r = await report([stopped.address]);
      expect(r.exitCode).toBe(1);
      expect(validate(r.report), JSON.stringify(validate.errors)).toBe(true);
      expect(r.report.target).toMatchObject({ state: 'created', exitCode: null, entrypoint: has(engine, 'imageConfig') ? ['/app/server'] : expect.any(Array) });
      expect(r.report.processes).toEqual([]);
      expect(r.report.warnings).toEqual([expect.stringMatching(/^the target is created: nothing runs to diagnose/)]);
      expect(await debuggersLeft(engine, [stopped])).toEqual([]);
    } finally {
      await engine.remove(stopped);
    }
  });
});
