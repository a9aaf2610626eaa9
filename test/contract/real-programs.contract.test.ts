/**
 * Real programs as users meet them, on every engine: Redis and PostgreSQL from Debian's packages, FROM
 * scratch, running as a non-root user (distroless :nonroot's 65532) with data directories only that
 * user may read. Unlike the fixtures they write their process titles over their environ (Redis leaves
 * only NULs), fork workers with titles of their own (PostgreSQL), and refuse to run as root.
 */
import { Ajv } from 'ajv';
import formats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/diagnose/report.js';
import { sidekick } from '../helpers/cli.js';
import type { StartedTarget } from '../helpers/engines.js';
import { startForward } from '../helpers/port-forward.js';
import { exchange } from '../helpers/sockets.js';
import { debuggersLeft, forScenario, itIf } from './engines.js';

const schema = JSON.parse(readFileSync(new URL('../../schema/diagnose-report.schema.json', import.meta.url), 'utf8'));
const ajv = new Ajv({ allErrors: true });
(formats as unknown as { default: (a: Ajv) => void }).default(ajv);
const validate = ajv.compile(schema);

const REDIS_NOTES = 'written before the image was built';
const PG_MISSING = '/var/lib/postgresql/missing';

describe.each(forScenario('realPrograms'))('real programs on $name', (engine) => {
  let redis: StartedTarget;
  let postgres: StartedTarget;
  const crashed: StartedTarget[] = [];
  const exec = (args: string[]) => sidekick(['exec', '-q', ...args], { env: engine.env, timeout: 120_000 });
  const diagnose = async (target: StartedTarget) => {
    const r = await sidekick(['diagnose', target.address, '--json'], { env: engine.env, timeout: 120_000 });
    expect(r.stderr).toBe('');
    return JSON.parse(r.stdout) as Report;
  };

  beforeAll(async () => {
    await engine.ready();
    [redis, postgres] = await Promise.all([
      engine.startTarget({ fixture: 'redis', env: ['APP_VAR=for redis'] }),
      engine.startTarget({ fixture: 'postgres', env: ['APP_VAR=for postgres'] }),
    ]);
  });

  afterAll(async () => {
    const mine = [redis, postgres, ...crashed].filter(Boolean);
    expect(await debuggersLeft(engine, mine)).toEqual([]);
    await Promise.all(mine.map((t) => engine.remove(t)));
  });

  it("Redis: its data directory only its user may read, its title, the engine's environment although the title wrote over it, its port", async () => {
    const r = await exec([redis.address, '--', 'sh', '-c', 'cat /var/lib/redis/data/NOTES; tr "\\0" " " </proc/1/cmdline; echo; tr -d "\\0" </proc/1/environ | wc -c; echo "$APP_VAR"; printf "PING\\r\\nQUIT\\r\\n" | nc 127.0.0.1 6379']);
    expect(r.exitCode, r.stderr).toBe(0);
    const [notes, title, environBytes, appVar, ...reply] = r.stdout.split('\n');
    expect(notes).toBe(REDIS_NOTES);
    expect(title!.trim()).toBe('/usr/bin/redis-server 0.0.0.0:6379');
    expect(environBytes!.trim()).toBe('0'); // NULs only: the title took it
    expect(appVar).toBe('for redis');
    expect(reply.join('\n')).toBe('+PONG\r\n+OK\r\n');
  });

  it("Redis through `sidekick port-forward` (the engine's default path): a client's commands and their replies", async () => {
    const session = await startForward(engine, ['-q', redis.address, '6379'], 1);
    try {
      const reply = await exchange(session.forwards[0]!.port, 'PING\r\nSET greeting hello\r\nGET greeting\r\nQUIT\r\n');
      expect(reply.toString()).toBe('+PONG\r\n+OK\r\n$5\r\nhello\r\n+OK\r\n');
    } finally {
      session.cli.kill('SIGTERM');
      await session.cli.catch(() => undefined);
    }
  });

  it("-u redis acts as Redis's own user: its files, not root's", async () => {
    const r = await exec(['-u', 'redis', redis.address, '--', 'sh', '-c', 'id -u; cat /var/lib/redis/data/NOTES; touch /etc/sidekick-probe 2>/dev/null || echo "not root"']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe(`65532\n${REDIS_NOTES}\nnot root\n`);
  });

  it("PostgreSQL: its workers by their titles, its data directory only its user may read, its port", async () => {
    const r = await exec([postgres.address, '--', 'sh', '-c', 'cat /var/lib/postgresql/data/PG_VERSION; ps; grep -ci ":1538 " /proc/net/tcp; echo "$APP_VAR"']);
    expect(r.exitCode, r.stderr).toBe(0);
    const [version, ...rest] = r.stdout.trim().split('\n');
    expect(version).toBe('15');
    for (const worker of ['checkpointer', 'background writer', 'walwriter']) expect(rest).toContainEqual(expect.stringMatching(new RegExp(`^ *\\d+ postgres +postgres: ${worker}`)));
    expect(rest.slice(-2)).toEqual(['1', 'for postgres']); // one listening socket on 5432 (0x1538) over IPv4
  });

  it("diagnose: the engine's environment where the title wrote over PID 1's, the processes' users and titles, the ports", async () => {
    const [r, p] = await Promise.all([diagnose(redis), diagnose(postgres)]);
    expect(r.environment.APP_VAR).toBe('for redis');
    expect(r.network.listening).toContainEqual(expect.objectContaining({ protocol: 'tcp', port: 6379, pid: 1 }));
    expect(p.environment.APP_VAR).toBe('for postgres');
    expect(p.processes).toContainEqual(expect.objectContaining({ user: 'postgres', command: 'postgres: checkpointer' }));
    expect(p.network.listening).toContainEqual(expect.objectContaining({ protocol: 'tcp', port: 5432, pid: 1 }));
  });

  itIf(engine, 'stoppedCopy')('PostgreSQL that crashed at start (no data directory): a session in its copy, as its user, reproduces the crash with entrypoint --run; diagnose gives its exit code', async () => {
    const target = await engine.startTarget({ fixture: 'postgres', args: ['-D', PG_MISSING], exits: true, env: ['APP_VAR=crashed'] });
    crashed.push(target);
    const r = await sidekick(['exec', target.address, '--', 'sh', '-c', 'id -u; echo "$APP_VAR"; cat /var/lib/postgresql/data/PG_VERSION; entrypoint --print; entrypoint --run; echo "rc=$?"'], { env: engine.env, timeout: 120_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe(`65532\ncrashed\n15\n/usr/lib/postgresql/15/bin/postgres -D ${PG_MISSING}\nrc=2\n`);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toBe('sidekick: target is exited (code 2): debugging a copy of its filesystem; changes are discarded');
    // the same FATAL as at its start, not "root execution of the PostgreSQL server is not permitted"
    expect(lines.slice(1).join('\n')).toMatch(`could not access directory "${PG_MISSING}": No such file or directory`);
    // diagnose tells what the engine knows of it, and fails its checks: nothing runs to answer them
    const d = await sidekick(['diagnose', target.address, '--json', '--check', 'tcp://127.0.0.1:5432'], { env: engine.env, timeout: 120_000 });
    expect(d.exitCode, d.stderr).toBe(1);
    const report = JSON.parse(d.stdout) as Report;
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    expect(report.target).toMatchObject({ state: 'exited', exitCode: 2, command: expect.arrayContaining(['-D', PG_MISSING]) });
    expect(report.processes).toEqual([]);
    expect(report.environment.APP_VAR).toBe('crashed');
    expect(report.checks).toEqual([expect.objectContaining({ ok: false, reason: 'the target is exited (code 2)' })]);
    expect(report.warnings[0]).toMatch(/^the target is exited \(code 2\): nothing runs to diagnose/);
    const text = await sidekick(['diagnose', target.address], { env: engine.env, timeout: 120_000 });
    expect(text.stdout).toMatch(/^  exit code   2\b/m);
    expect(text.stdout).not.toMatch(/PROCESSES|NETWORK/);
  });
});
