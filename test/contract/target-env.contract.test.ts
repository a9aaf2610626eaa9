/**
 * The target's configured environment and working directory come from the engine, on every engine:
 * a daemon that writes its process title over its environment (as nginx does) leaves only the title
 * and NULs in /proc/1/environ, and a session still sees the values set when the container was created
 * (on Kubernetes, in its pod spec: test/k8s/target-env.test.ts adds what only a pod spec can say).
 * What the image itself sets (ENV, WORKDIR, ENTRYPOINT) is known where the engine serves its config.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sidekick } from '../helpers/cli.js';
import type { StartedTarget } from '../helpers/engines.js';
import { forScenario, itIf, debuggersLeft } from './engines.js';

// A value a shell string would break: newlines, quotes, $, backquotes, backslashes (and, for
// Kubernetes, a $(VAR) reference to a variable that is not defined, which it leaves as it is).
const ODD = 'two\nlines "q" \'s\' $HOME $(id) `id` \\ end';

describe.each(forScenario('targetEnv'))('the target environment on $name', (engine) => {
  let titled: StartedTarget;
  let plain: StartedTarget;
  let nginx: StartedTarget;
  const run = (args: string[]) => sidekick(['exec', ...args], { env: engine.env, timeout: 120_000 });

  beforeAll(async () => {
    await engine.ready();
    [titled, plain, nginx] = await Promise.all([
      engine.startTarget({ fixture: 'proctitle', env: ['APP_VAR=set at creation', `ODD=${ODD}`] }),
      engine.startTarget({ env: ['APP_VAR=plain'] }),
      engine.startTarget({ fixture: 'nginx', env: ['APP_VAR=for nginx'] }),
    ]);
  });

  afterAll(async () => {
    const mine = [titled, plain, nginx].filter(Boolean);
    // before the targets go (a deleted pod's debuggers are not counted); others' tests share these engines
    expect(await debuggersLeft(engine, mine)).toEqual([]);
    await Promise.all(mine.map((t) => engine.remove(t)));
  });

  it('gives the values set at creation although the process wrote its title over its environ, and -e still wins', async () => {
    const r = await run([titled.address, '--', 'sh', '-c', 'tr "\\0" "|" </proc/1/environ | cut -c1-20; echo "$APP_VAR"']);
    expect(r.exitCode, r.stderr).toBe(0);
    const [environ, appVar] = r.stdout.split('\n');
    expect(environ).not.toContain('APP_VAR'); // the title is there, as with nginx
    expect(appVar).toBe('set at creation');
    const mine = await run(['-e', 'APP_VAR=mine', titled.address, '--', 'sh', '-c', 'echo "$APP_VAR"']);
    expect(mine.stdout).toBe('mine\n');
  });

  it('passes values with newlines, quotes and $ as they are', async () => {
    const r = await run([titled.address, '--', 'sh', '-c', 'printf "%s" "$ODD"']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe(ODD);
  });

  itIf(engine, 'imageConfig')("gives the image's ENV and starts in its WORKDIR (the daemon itself went to /), -e still winning", async () => {
    const r = await run(['-e', 'APP_VAR=mine', titled.address, '--', 'sh', '-c', 'pwd; echo "$APP_VAR $APP_MODE"']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe('/app\nmine title\n');
    const fromNginx = await run([nginx.address, '--', 'sh', '-c', 'echo "$APP_MODE"']);
    expect(fromNginx.stdout).toBe('nginx\n');
  });

  it('still merges /proc/1/environ of a process that left it intact', async () => {
    const r = await run([plain.address, '--', 'sh', '-c', 'echo "$APP_VAR $APP_MODE $GREETING_FILE"']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe('plain demo /app/data/greeting.txt\n');
  });

  it("gives real nginx's environment (Debian's nginx, whose title overwrites it)", async () => {
    const r = await run([nginx.address, '--', 'sh', '-c', 'tr -d "\\0" </proc/1/cmdline; echo; echo "$APP_VAR"; wget -qO- 127.0.0.1:8080']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe('nginx: master process /usr/sbin/nginx -e stderr -g daemon off;\nfor nginx\nhello from nginx\n');
  });

  itIf(engine, 'imageConfig')('has an entrypoint helper: --print tells how the target starts, --run starts it in the foreground', async () => {
    const printed = await Promise.all([run([plain.address, '--', 'entrypoint', '--print']), run([nginx.address, '--', 'entrypoint', '--print'])]);
    expect(printed.map((r) => r.stdout)).toEqual(["/app/server\n", "/usr/sbin/nginx -e stderr -g 'daemon off;'\n"]);
    // a second server in the target's network namespace: its ports are taken
    const ran = await run([plain.address, '--', 'entrypoint', '--run']);
    expect(ran.exitCode).toBe(1);
    expect(ran.stderr).toMatch(/^listen: Address (already )?in use$/m);
  });
});
