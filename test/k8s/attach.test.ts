/**
 * Sessions to come back to on a real cluster: `exec -d` leaves an ephemeral debugger running (stdin
 * kept open across attaches), `sessions` shows it attachable, `attach` joins it in a terminal,
 * detaches with ctrl-p ctrl-q, ends with its exit code; an ended or unknown session is one line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError, sidekick } from '../helpers/cli.js';
import { eventually } from '../helpers/engines.js';
import { KUBECONFIG, clusterReady, createNamespace, deleteNamespace, kubectl, startPod, uniqueNamespace } from '../helpers/kube.js';
import { PtySession } from '../helpers/pty.js';

const env = { KUBECONFIG };
const ns = uniqueNamespace('sk-attach');

interface Session {
  id: string;
  name: string;
  running: boolean;
  status: string;
  detached: boolean;
  attachable: boolean;
}

async function session(id: string): Promise<Session | undefined> {
  const listed = await sidekick(['sessions', '--json', '-n', ns], { env });
  expect(listed.exitCode, listed.stderr).toBe(0);
  return (JSON.parse(listed.stdout) as Session[]).find((s) => s.id === id);
}

describe('exec -d and attach on kubernetes', () => {
  beforeAll(async () => {
    await clusterReady();
    await createNamespace(ns);
    await startPod({ namespace: ns, name: 'web' });
  }, 180_000);

  afterAll(async () => {
    await deleteNamespace(ns);
  });

  it('a detached shell: attachable, joined in a terminal, left with ctrl-p ctrl-q, joined again, ended with its code', async () => {
    const start = new PtySession(['exec', '-d', `k8s://${ns}/web`], { env });
    expect(await start.exited, start.text).toBe(0);
    const id = new RegExp(`k8s://${ns}/web/sidekick-web-[0-9a-f]+`).exec(start.text)?.[0];
    expect(id, start.text).toBeDefined();
    expect(start.text).not.toMatch(/\[sidekick /);
    expect(await session(id!)).toMatchObject({ running: true, detached: true, attachable: true });
    const name = id!.split('/').pop()!;

    // by its name, as the hint says
    const first = new PtySession(['attach', name], { env });
    await first.expect(/ctrl-p ctrl-q detaches/);
    first.write('KEPT=still-$((40+2)); echo hel""lo-$(cat /proc/1/cmdline | tr "\\0" " ")\r');
    await first.expect(/hello-\S+/);
    first.write('\x10\x11');
    expect(await first.exited, first.text).toBe(0);
    expect(first.text).toMatch(/detached; sidekick-web-\S+ still runs/);
    expect(await session(id!)).toMatchObject({ running: true, attachable: true });

    // by its address
    const second = new PtySession(['attach', id!], { env });
    await second.expect(/attached to/);
    second.write('echo $KEPT\r');
    await second.expect(/still-42/);
    second.write('exit 7\r');
    expect(await second.exited, second.text).toBe(7);

    // ephemeral containers stay in the pod: ended, its code and when, no longer attachable
    expect(await eventually(async () => (await session(id!))?.running === false, 30_000)).toBe(true);
    expect(await session(id!)).toMatchObject({ status: 'exited (7)', attachable: false });
    const ended = await sidekick(['attach', id!], { env });
    expectOneLineError(ended, /session sidekick-web-\S+ ended at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ with exit code 7: start another with "sidekick exec -d TARGET"/);
  }, 120_000);

  it('attach with piped input and no terminal: output and exit code', async () => {
    const started = await sidekick(['exec', '-d', '-q', `k8s://${ns}/web`], { env, timeout: 120_000 });
    expect(started.exitCode, started.stderr).toBe(0);
    const id = started.stdout.trim();
    expect(id).toMatch(new RegExp(`^k8s://${ns}/web/sidekick-web-[0-9a-f]+$`));
    expect(await session(id)).toMatchObject({ running: true, attachable: true });
    const attached = await sidekick(['attach', '-q', id], { env, input: 'echo hello-$((6*7))\nexit 5\n' });
    expect(attached.stdout).toContain('hello-42');
    expect(attached.exitCode, attached.stderr).toBe(5);
  }, 120_000);

  it("attaches to kubectl debug's ephemeral container too (stdin and a TTY), its exit code from the pod's status", async () => {
    await kubectl(['debug', '-n', ns, 'web', '--image=busybox:musl', '--image-pull-policy=Never', '-i', '-t', '--attach=false', '--container=kdbg', '--', 'sh']);
    const state = () => kubectl(['get', 'pod', 'web', '-n', ns, '-o', 'jsonpath={.status.ephemeralContainerStatuses[?(@.name=="kdbg")].state}']);
    expect(await eventually(async () => (await state()).includes('running'), 60_000, 250)).toBe(true);
    const term = new PtySession(['attach', `k8s://${ns}/web/kdbg`], { env });
    await term.expect(/attached to kdbg/);
    term.write('echo hi-$((1+1))\r');
    await term.expect(/hi-2/);
    term.write('exit 3\r');
    expect(await term.exited, term.text).toBe(3);
  }, 120_000);

  it('exec -d of a node: refused in one line before any pod is made', async () => {
    const node = (await kubectl(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
    expectOneLineError(await sidekick(['exec', '-d', `node/${node}`, '-n', ns], { env }), /exec -d is not available for node\/ targets/);
    expect(await kubectl(['get', 'pods', '-n', ns, '-o', 'name'])).not.toMatch(/node/);
  });

  it('attach to an unknown debugger or pod: one line, non-zero', async () => {
    expectOneLineError(await sidekick(['attach', `k8s://${ns}/web/nope`], { env }), new RegExp(`no sidekick session at k8s://${ns}/web/nope`));
    expectOneLineError(await sidekick(['attach', `k8s://${ns}/gone/sidekick-x`], { env }), /no sidekick session at /);
  });
});
