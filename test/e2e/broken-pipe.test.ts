/**
 * Whoever reads sidekick's output may go away mid-session (`sidekick exec ... | head -1`): the session
 * ends as SIGPIPE would end it, and its debugger goes with it.
 */
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';
import { dockerEngine, eventually, type StartedTarget } from '../helpers/engines.js';

describe('a reader that goes away', () => {
  let target: StartedTarget;

  beforeAll(async () => {
    await dockerEngine.ready();
    target = await dockerEngine.startTarget();
  });

  afterAll(async () => {
    if (target) await dockerEngine.remove(target);
  });

  /** Runs `node cli ARGS` into `head -1` in bash; stdout: head's line, then the CLI's exit code. */
  const pipeline = async (script: string) => {
    const r = await execa('bash', ['-c', `${script}; echo "\${PIPESTATUS[0]}"`, 'bash', process.execPath, CLI, target.address], { reject: false, stdin: 'ignore', timeout: 60_000 });
    const [line, code] = String(r.stdout).split('\n');
    return { line, code: Number(code) };
  };
  const noDebuggerLeft = () => eventually(async () => (await dockerEngine.debuggers()).every((d) => !d.includes(target.name)), 20_000);

  it('ends the session and removes the debugger when stdout is closed', async () => {
    const r = await pipeline('"$1" "$2" exec -q "$3" -- yes | head -1');
    expect(r.line).toBe('y');
    expect(r.code).toBe(141);
    expect(await noDebuggerLeft()).toBe(true);
  });

  it('leaves nothing behind when stderr is closed while the debugger is made (--debug)', async () => {
    const r = await pipeline('"$1" "$2" exec --debug "$3" -- sleep 30 2>&1 >/dev/null | head -1');
    expect(r.line).toMatch(/^sidekick\[debug/);
    expect(r.code).toBe(141);
    expect(await noDebuggerLeft()).toBe(true);
  });
});
