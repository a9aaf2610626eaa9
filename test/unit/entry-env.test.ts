/**
 * The entry script's handling of the target's environment, run for real: busybox sh runs the script
 * against a process of this machine standing in for the target (the script chroots into its
 * /proc/PID/root, this machine's /, so the test runs as root, as the suite does).
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envEntries } from '../../src/runtimes/target-config.js';
import { entryArgv, entryEnv } from '../../src/entry/entry-script.js';

const fixture = new URL('../../fixtures/proctitle/proctitle.c', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'sk-entry-env-'));
const proctitle = join(work, 'proctitle');
const started: ChildProcess[] = [];

/** Starts a stand-in target with this environment; resolves once it runs (proctitle: once its title is set). */
async function target(argv: string[], env: Record<string, string>): Promise<number> {
  const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ['ignore', 'pipe', 'ignore'] });
  started.push(child);
  if (argv[0] === proctitle) await new Promise((r) => child.stdout!.once('data', r));
  return child.pid!;
}

// the toolkits' shells: busybox's ash, and dash (the dynamically linked fixture toolkit's)
const SHELLS: Record<string, string[]> = { busybox: ['/bin/busybox'], dash: ['/bin/dash'] };

/** Runs the entry script for `command` against the target; returns the command's environment. */
interface SessionOptions {
  keep?: Record<string, string>;
  workdir?: string;
  /** the user's command (default: print the environment) */
  command?: string[];
  /** the target's ENTRYPOINT+CMD as the engine says */
  targetCommand?: string[];
  status?: number;
  /** the debugger's temporary directory (default this test's) */
  tmpdir?: string;
}
function session(shell: string, pid: number, configured: string[], opts: SessionOptions = {}) {
  const keep = opts.keep ?? {};
  const env = {
    PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
    // the helper goes into the debugger's temporary directory: here, this test's
    TMPDIR: opts.tmpdir ?? work,
    ...keep,
    ...entryEnv({ keep: Object.keys(keep), targetPid: pid, targetEnv: envEntries(configured).env, workdir: opts.workdir, command: opts.targetCommand }),
  };
  const [sh, ...launcher] = entryArgv(opts.command ?? ['env', '-0']);
  const argv = shell === 'busybox' ? [sh!, ...launcher] : launcher;
  const r = spawnSync(SHELLS[shell]![0]!, argv, { env, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(opts.status ?? 0);
  const vars = new Map<string, string>();
  for (const kv of r.stdout.split('\0').filter(Boolean)) vars.set(kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1));
  return { vars, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  if (process.getuid?.() !== 0) throw new Error('this test chroots: run it as root');
  execFileSync('gcc', ['-static', '-O2', '-o', proctitle, fixture]);
});
afterAll(() => {
  for (const child of started) child.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

describe.each(Object.keys(SHELLS))('entry script under %s: the target environment', (shell) => {

  it('takes the configured values over /proc/PID/environ, and adds what only the process has', async () => {
    const pid = await target(['/bin/busybox', 'sleep', '600'], { FROM_PROC: 'p', SHARED: 'proc', PATH: '/proc-path' });
    const { vars } = session(shell, pid, ['SHARED=engine', 'PATH=/engine-path']);
    expect(vars.get('FROM_PROC')).toBe('p');
    expect(vars.get('SHARED')).toBe('engine');
    expect(vars.get('PATH')).toMatch(/\/bin:.*:\/engine-path$/);
    expect([...vars.keys()].filter((k) => k.startsWith('SIDEKICK_'))).toEqual([]);
  });

  it('passes values with newlines, quotes, $ and backslashes as they are, from both sources', async () => {
    const odd = 'line one\nline "two" \'three\' $HOME $(id) `id` \\n \\ end\n\n';
    const pid = await target(['/bin/busybox', 'sleep', '600'], { PROC_ODD: odd });
    const { vars } = session(shell, pid, [`ENGINE_ODD=${odd}`, 'EMPTY=', 'A=1', 'A=2']);
    expect(vars.get('ENGINE_ODD')).toBe(odd);
    expect(vars.get('PROC_ODD')).toBe(odd);
    expect(vars.get('EMPTY')).toBe('');
    expect(vars.get('A')).toBe('2');
  });

  it('ignores an environ a process title wrote over (nginx), keeping the configured values', async () => {
    const pid = await target([proctitle], { APP_VAR: 'from-engine', ONLY_PROC: 'lost' });
    const { vars } = session(shell, pid, ['APP_VAR=from-engine']);
    expect(vars.get('APP_VAR')).toBe('from-engine');
    expect(vars.has('ONLY_PROC')).toBe(false);
    expect([...vars.keys()].some((k) => /process|title/.test(k))).toBe(false);
  });

  it('lets -e win, and a target variable named like a script variable change nothing', async () => {
    const pid = await target(['/bin/busybox', 'sleep', '600'], {});
    const names = ['user=nobody-here', 'root=/nowhere', 'tpid=1', 'tk=/x', 'drop=/bin/false', 'IFS=x', 'KEPT=target'];
    const { vars } = session(shell, pid, names, { keep: { KEPT: 'mine' } });
    expect(vars.get('KEPT')).toBe('mine');
    expect(vars.get('user')).toBe('nobody-here');
    expect(vars.get('drop')).toBe('/bin/false');
  });

  it("starts in the configured working directory, else the process's", async () => {
    const pid = await target([proctitle], {});
    expect(session(shell, pid, [], { workdir: '/tmp', command: ['pwd'] }).stdout).toBe('/tmp\n');
    // the daemon went to "/"
    expect(session(shell, pid, [], { command: ['pwd'] }).stdout).toBe('/\n');
  });

  it('has an entrypoint helper that prints the target command as shell words and runs it', async () => {
    const pid = await target(['/bin/busybox', 'sleep', '600'], {});
    const targetCommand = ['/bin/sh', '-c', 'printf "%s|" "$@"', 'it\'s', 'a b', 'x\ny', '$HOME', ''];
    const printed = session(shell, pid, [], { targetCommand, command: ['entrypoint', '--print'] }).stdout;
    expect(printed).toBe(`/bin/sh -c 'printf "%s|" "$@"' 'it'\\''s' 'a b' 'x\ny' '$HOME' ''\n`);
    // the printed line, read back by a shell, is the same words
    expect(execFileSync('/bin/sh', ['-c', `eval "set -- $(cat)"; printf '%s\\0' "$@"`], { input: printed.slice(0, -1), encoding: 'utf8' })).toBe(`${targetCommand.join('\0')}\0`);
    const ran = session(shell, pid, [], { targetCommand, command: ['entrypoint', '--run'] }).stdout;
    expect(ran).toBe("a b|x\ny|$HOME||");
  });

  it("says when the engine does not tell the target's command", async () => {
    const pid = await target(['/bin/busybox', 'sleep', '600'], {});
    const r = session(shell, pid, [], { command: ['entrypoint', '--print'], status: 1 });
    expect(r.stderr).toMatch(/^entrypoint: the engine does not say how the target starts .*\/proc\/1\/cmdline\n$/);
  });

  it('runs the session without the helper where nothing can be written', async () => {
    const pid = await target(['/bin/busybox', 'sleep', '600'], {});
    const r = session(shell, pid, ['A=1'], { tmpdir: '/proc/no-such-dir', targetCommand: ['/x'], command: ['sh', '-c', 'echo "$A"; env | grep -c ^SIDEKICK_'], status: 1 });
    expect(r.stdout).toBe('1\n0\n');
    expect(r.stderr).toBe('');
  });
});
