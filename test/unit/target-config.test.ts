import { describe, expect, it } from 'vitest';
import { configNotes, envEntries, targetEnvVars } from '../../src/runtimes/target-config.js';

describe('envEntries', () => {
  it('reads NAME=VALUE entries, a later name winning, values kept whole', () => {
    const { env, skipped } = envEntries(['A=1', 'B=x=y', 'NL=a\nb', 'A=2', 'EMPTY=']);
    expect([...env]).toEqual([['B', 'x=y'], ['NL', 'a\nb'], ['A', '2'], ['EMPTY', '']]);
    expect(skipped).toEqual([]);
  });
  it("leaves out what a shell cannot export and sidekick's own names", () => {
    const { env, skipped } = envEntries(['my-var=1', '1X=2', 'NOVALUE', 'SIDEKICK_ENTRY=x', 'OK=3']);
    expect([...env.keys()]).toEqual(['OK']);
    expect(skipped).toEqual(['my-var', '1X', 'NOVALUE', 'SIDEKICK_ENTRY']);
  });
});

describe('targetEnvVars', () => {
  it('gives each value a variable of its own and lists the names; -e names are left out', () => {
    const vars = targetEnvVars(new Map([['A', '$(id) "q"\n'], ['KEPT', 't'], ['PATH', '/bin']]), ['KEPT']);
    expect(vars).toEqual({ SIDEKICK_TARGET_ENV: 'A PATH', SIDEKICK_TARGET_ENV_A: '$(id) "q"\n', SIDEKICK_TARGET_ENV_PATH: '/bin' });
  });
  it('says an empty configured environment (known, but empty)', () => {
    expect(targetEnvVars(new Map(), [])).toEqual({ SIDEKICK_TARGET_ENV: '' });
  });
});

describe('configNotes', () => {
  it('tells what was not known and what was not passed on', () => {
    expect(configNotes({ env: ['a.b=1'], unknown: ['env FOO (secret s: forbidden)'] })).toEqual([
      'not known: env FOO (secret s: forbidden)',
      "environment entries not passed on (not shell names, or sidekick's own): a.b",
    ]);
  });
});
