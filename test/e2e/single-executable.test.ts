/**
 * The single executable (`npm run package`, scripts/package.mjs), built into a temporary directory
 * and run with no `node` on PATH against a real engine: every command, its own reaper (a SIGKILLed
 * CLI leaves nothing), its network-namespace helper (port-forward --via nsenter), the Docker plugin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dockerEngine, eventually, type StartedTarget } from '../helpers/engines.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'sk-sea-'));
const exe = join(work, 'sidekick-linux-x64');
// PATH holds only the outside tools some commands call: no node
const bin = join(work, 'bin');
const env = { PATH: bin, DOCKER_CONFIG: join(work, 'docker-config') };
const run = (args: string[], timeout = 60_000) => execa(exe, args, { env, cwd: '/', reject: false, stdin: 'ignore', timeout });

describe('the single executable', () => {
  let target: StartedTarget;
  const mine = async () => (await dockerEngine.debuggers()).filter((d) => d.includes(target.name));

  beforeAll(async () => {
    await dockerEngine.ready();
    target = await dockerEngine.startTarget();
    await execa(process.execPath, ['scripts/package.mjs', '--out', exe], { cwd: ROOT });
    await execa('mkdir', [bin]);
    for (const tool of ['docker', 'nsenter']) symlinkSync((await execa('sh', ['-c', `command -v ${tool}`])).stdout, join(bin, tool));
    expect((await execa('/bin/sh', ['-c', 'command -v node || echo none'], { env })).stdout).toBe('none');
  }, 300_000);
  afterAll(async () => {
    if (target) await dockerEngine.remove(target);
    rmSync(work, { recursive: true, force: true });
  });

  it('prints its version and help', async () => {
    expect((await run(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+$/);
    const help = await run(['--help']);
    expect(help.stdout).toMatch(/sidekick exec <target>/);
    expect(help.stderr).toBe('');
  });

  it('execs in a container, exit code and streams apart, and lists it', async () => {
    const r = await run(['exec', target.address, '--', 'sh', '-c', 'ls /; echo err >&2; exit 5']);
    expect(r.exitCode, r.stderr).toBe(5);
    expect(r.stdout).toMatch(/^app$/m);
    expect(r.stderr).toBe('err');
    expect((await run(['targets'])).stdout).toContain(target.address);
    expect((await run(['sessions'])).exitCode).toBe(0);
    const report = await run(['diagnose', target.address, '--json']);
    expect(report.exitCode, report.stderr).toBe(0);
    expect(JSON.parse(report.stdout)).toHaveProperty('processes');
    expect((await run(['completion', 'bash'])).stdout).toContain('complete -F _sidekick sidekick');
  });

  it('forwards a port through its netns helper', async () => {
    const cli = execa(exe, ['port-forward', '--json', '--via', 'nsenter', target.address, '6060'], { env, reject: false, timeout: 60_000 });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        cli.stdout!.once('data', (c: Buffer) => resolve(c.toString()));
        void cli.then((r) => reject(new Error(`port-forward ended (exit ${r.exitCode}): ${String(r.stderr)}`)));
      });
      const forward = JSON.parse(line) as { local: string; via: string };
      expect(forward.via).toBe('nsenter');
      const reply = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(forward.local.split(':').pop()), '127.0.0.1');
        let text = '';
        socket.on('data', (c: Buffer) => (text += c.toString()));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
        socket.end('GET / HTTP/1.0\r\n\r\n');
      });
      expect(reply).toMatch(/^HTTP\/1\.[01] 200/);
    } finally {
      cli.kill('SIGTERM');
      expect((await cli).exitCode).toBe(143);
    }
    expect(await mine()).toEqual([]);
  });

  it('is its own reaper: a SIGKILLed session leaves no debugger', async () => {
    const cli = execa(exe, ['exec', target.address, '--', 'sleep', '60'], { env, reject: false, stdin: 'ignore', timeout: 60_000 });
    expect(await eventually(async () => (await mine()).length === 1, 20_000)).toBe(true);
    cli.kill('SIGKILL');
    await cli;
    expect(await eventually(async () => (await mine()).length === 0, 30_000)).toBe(true);
  });

  it('installs the Docker plugin, which runs without node', async () => {
    expect((await run(['plugins', 'install'])).exitCode).toBe(0);
    const r = await execa('docker', ['sidekick', 'exec', target.name, '--', 'sh', '-c', 'exit 4'], { env, reject: false, stdin: 'ignore' });
    expect(r.exitCode, String(r.stderr)).toBe(4);
    expect((await run(['plugins', 'uninstall'])).exitCode).toBe(0);
  });
});
