import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ENTRY_SCRIPT, entryArgv, entryEnv } from '../../src/entry/entry-script.js';

describe('entry script', () => {
  it('is valid sh (busybox sh -n)', () => {
    execFileSync('/bin/busybox', ['sh', '-n', '-c', ENTRY_SCRIPT]);
  });
  it('receives the user command only as arguments', () => {
    const argv = entryArgv(['echo', '"; reboot']);
    expect(argv.slice(0, 4)).toEqual(['sh', '-c', 'eval "$SIDEKICK_ENTRY"', 'sidekick']);
    expect(argv.slice(4)).toEqual(['echo', '"; reboot']);
  });
  it('never reads user input as script text', () => {
    expect(ENTRY_SCRIPT).toContain('"$@"');
    expect(ENTRY_SCRIPT).not.toMatch(/eval "\$[^S]/);
  });
  it('carries its inputs in the environment', () => {
    expect(entryEnv({ keep: ['A', 'B'], user: 'nonroot', targetPid: 7 })).toMatchObject({
      SIDEKICK_KEEP_ENV: 'A B',
      SIDEKICK_USER: 'nonroot',
      SIDEKICK_TARGET_PID: '7',
    });
    expect(entryEnv({ keep: [] })).not.toHaveProperty('SIDEKICK_USER');
  });
});
