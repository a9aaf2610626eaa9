/**
 * `sidekick exec node/NAME` on the test cluster's real node: a debugger pod pinned to it, in the
 * host's namespaces, the node's root as /, the kubelet among the processes, and the pod deleted when
 * the session ends, is interrupted, or the CLI is SIGKILLed (the reaper).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError, sidekick, sidekickProcess } from '../helpers/cli.js';
import { eventually } from '../helpers/engines.js';
import { KUBECONFIG, clusterReady, createNamespace, deleteNamespace, kubectl, uniqueNamespace } from '../helpers/kube.js';

const env = { KUBECONFIG };
const ns = uniqueNamespace('sk-node');
const NODE = 'sidekick-node';
const fakeNode = uniqueNamespace('sk-fake-node');
// a Node object that says Ready but has no kubelet behind it: a debugger pod pinned there never runs
const silentNode = uniqueNamespace('sk-silent-node');
const readyNow = () => ({ status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: new Date().toISOString(), lastTransitionTime: new Date().toISOString() }] } });
const podsLeft = async () => (await kubectl(['get', 'pods', '-n', ns, '-o', 'name'])).trim();
const run = (args: string[]) => sidekick(['exec', '-n', ns, ...args], { env, timeout: 150_000 });

describe('node debugging on kubernetes', () => {
  beforeAll(async () => {
    await clusterReady();
    await createNamespace(ns);
    // a Node object no kubelet answers for: NotReady; tainted so no DaemonSet pod goes there
    await kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: fakeNode }, spec: { unschedulable: true, taints: [{ key: 'sidekick.test/fake', effect: 'NoExecute' }] } }));
  }, 120_000);

  afterAll(async () => {
    await kubectl(['delete', 'node', fakeNode, silentNode, '--wait=false', '--ignore-not-found']).catch(() => undefined);
    await deleteNamespace(ns);
  });

  it("shows the kubelet and the node's files, returns the exit code, and deletes its pod", async () => {
    const r = await run([`node/${NODE}`, '--', 'sh', '-c', 'ps -o args | grep -c "^[^ ]*kubelet"; cat /var/lib/sidekick/k8s/admin.kubeconfig >/dev/null && echo node-files; exit 7']);
    expect(r.exitCode, r.stderr).toBe(7);
    expect(r.stdout).toBe('1\nnode-files\n');
    expect(await podsLeft()).toBe('');
  });

  it.each(['general', 'netadmin', 'sysadmin'])('k8s://node/NAME with --profile %s is in the host namespaces', async (profile) => {
    const r = await run(['--profile', profile, `k8s://node/${NODE}`, '--', 'sh', '-c', 'k=$(pgrep -x kubelet); for n in pid net ipc; do [ "$(readlink /proc/self/ns/$n)" = "$(readlink /proc/$k/ns/$n)" ] && echo $n; done']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe('pid\nnet\nipc\n');
    expect(await podsLeft()).toBe('');
  });

  it('sessions lists the node pod; SIGKILL of the CLI: the reaper deletes it', async () => {
    const cli = sidekickProcess(['exec', '-q', '-n', ns, `node/${NODE}`, '--', 'sleep', '600'], { env, timeout: 150_000 });
    cli.catch(() => undefined);
    const running = async () => (await kubectl(['get', 'pods', '-n', ns, '-o', 'jsonpath={.items[*].status.containerStatuses[*].state.running}'])).length > 0;
    expect(await eventually(running, 90_000, 250)).toBe(true);
    // sessions lists it under its own address, the node as its target
    const sessions = await sidekick(['sessions', '--json', '-n', ns], { env });
    const listed = (JSON.parse(sessions.stdout) as Array<{ id: string; target: string }>).filter((d) => d.target === `k8s://node/${NODE}`);
    expect(listed.map((d) => d.id)).toEqual([expect.stringMatching(new RegExp(`^k8s://${ns}/sidekick-node-${NODE}-[0-9a-f]{6}$`))]);
    cli.kill('SIGKILL');
    await cli;
    expect(await eventually(async () => (await podsLeft()) === '', 60_000, 500)).toBe(true);
  }, 180_000);

  it('SIGINT of the CLI deletes the node pod, exit 130', async () => {
    const cli = sidekickProcess(['exec', '-q', '-n', ns, `node/${NODE}`, '--', 'sleep', '600'], { env, timeout: 150_000 });
    cli.catch(() => undefined);
    const running = async () => (await kubectl(['get', 'pods', '-n', ns, '-o', 'jsonpath={.items[*].status.containerStatuses[*].state.running}'])).length > 0;
    expect(await eventually(running, 90_000, 250)).toBe(true);
    cli.kill('SIGINT');
    expect((await cli).exitCode).toBe(130);
    expect(await eventually(async () => (await podsLeft()) === '', 30_000, 500)).toBe(true);
  }, 180_000);

  it("diagnose node/NAME reports the node's processes (the kubelet among them) and deletes its pod", async () => {
    const r = await sidekick(['diagnose', '--json', '-n', ns, `node/${NODE}`], { env, timeout: 150_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { target: { address: string }; processes: Array<{ pid: number; command: string }> };
    expect(report.target.address).toBe(`k8s://node/${NODE}`);
    expect(report.processes.some((p) => /(^|\/)kubelet( |$)/.test(p.command))).toBe(true);
    expect(await podsLeft()).toBe('');
  }, 180_000);

  it('a node debugger pod that never runs: the reason within --pod-running-timeout, one line, the pod deleted', async () => {
    await kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: silentNode }, spec: { unschedulable: true, taints: [{ key: 'sidekick.test/fake', effect: 'NoExecute' }] } }));
    // the node controller marks it NotReady after its grace period (40 s): the test runs well within it
    await kubectl(['patch', 'node', silentNode, '--subresource=status', '--type=merge', '-p', JSON.stringify(readyNow())]);
    const r = await run(['--pod-running-timeout', '4s', `node/${silentNode}`, '--', 'true']);
    expectOneLineError(r, new RegExp(`the debugger did not start within 4s \\(pod Pending: the kubelet of node ${silentNode} has not started it\\).*--pod-running-timeout`));
    expect(await podsLeft()).toBe('');
  }, 60_000);

  it('refuses a bad --pod-running-timeout in one line', async () => {
    expectOneLineError(await run(['--pod-running-timeout', 'soon', `node/${NODE}`, '--', 'true']), /bad --pod-running-timeout "soon"/);
  });

  it.each([
    [['node/no-such-node'], /node no-such-node not found/],
    [[`node/${fakeNode}`], new RegExp(`node ${fakeNode} is NotReady`)],
    [['--profile', 'restricted', `node/${NODE}`], /--profile restricted keeps a node debugger out of the node's namespaces/],
  ])('refuses %j in one line, leaving no pod', async (args, message) => {
    const r = await run([...args, '--', 'true']);
    expectOneLineError(r, message);
    expect(await podsLeft()).toBe('');
  });
});
