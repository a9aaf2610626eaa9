import { describe, expect, it } from 'vitest';
import { completionScript } from '../../src/completion/scripts.js';
import { COMMANDS } from '../../src/cli-spec.js';
import { launcherScript } from '../../src/plugins/docker-plugin.js';

describe('completion scripts come from the command table', () => {
  it.each(['bash', 'zsh', 'fish'] as const)('%s names every command, the --profile and --pull values, and asks for targets', (shell) => {
    const script = completionScript(shell);
    for (const c of COMMANDS) expect(script).toContain(c.name);
    expect(script).toMatch(/general baseline restricted netadmin sysadmin/);
    expect(script).toMatch(/missing always never/);
    expect(script).toContain('completion --targets');
  });
});

describe('the Docker plugin launcher', () => {
  it('passes its arguments on as "$@" and quotes the paths it was given', () => {
    expect(launcherScript(['/usr/bin/node', "/opt/it's here/docker-sidekick.js"]).split('\n').at(-2)).toBe(
      `exec '/usr/bin/node' '/opt/it'\\''s here/docker-sidekick.js' "$@"`,
    );
  });
});
