/**
 * port-forward on a real cluster (scripts/k8s), what is Kubernetes' own: which addresses are the
 * pod's own (its IP, localhost) and go through the API's pods/portforward with no debugger ever made,
 * how that path refuses a port (a reset), other hosts through a debugger in the same command, and
 * credentials that may not use pods/portforward. What every engine does (loopback and echo ports,
 * bytes intact, many connections, a refused port, signals, a pod deleted: 123, --follow-restarts
 * across the kubelet's restart), through pods/portforward and through a debugger, runs on
 * Kubernetes in test/contract/port-forward.contract.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultPromise } from 'execa';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { talk } from '../helpers/sockets.js';
import { expectOneLineError, sidekick, sidekickProcess } from '../helpers/cli.js';
import { eventually } from '../helpers/engines.js';
import { KUBECONFIG, accountKubeconfig, clusterReady, createNamespace, deleteNamespace, forgetKubeconfigs, kubectl, startPod, uniqueNamespace } from '../helpers/kube.js';

const env = { KUBECONFIG };
const ns = uniqueNamespace('sk-pfn');

interface Forward {
  local: string;
  remote: string;
  via: string;
}

/** Starts `sidekick port-forward --json ARGS`; resolves with its forwards once it forwards, and its stderr so far. */
async function startForward(args: string[], count: number): Promise<{ cli: ResultPromise; forwards: Forward[]; ports: number[]; stderr: () => string }> {
  const cli = sidekickProcess(['port-forward', '--json', ...args], { env, timeout: 150_000 });
  cli.catch(() => undefined);
  let stderr = '';
  cli.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const forwards = await new Promise<Forward[]>((resolve, reject) => {
    let text = '';
    cli.stdout!.on('data', (c: Buffer) => {
      text += c.toString();
      const lines = text.split('\n').filter(Boolean);
      if (lines.length >= count) resolve(lines.map((l) => JSON.parse(l) as Forward));
    });
    void cli.then((r) => reject(new Error(`port-forward ended (exit ${r.exitCode}): ${String(r.stderr)}`)));
  });
  return { cli, forwards, ports: forwards.map((f) => Number(f.local.split(':').pop())), stderr: () => stderr };
}


/** Sends `bytes` to an echo port and resolves with what came back once as many bytes did. */
function echo(port: number, bytes: Buffer): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let got = 0;
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      got += d.length;
      if (got >= bytes.length) {
        socket.destroy();
        resolve(Buffer.concat(chunks));
      }
    });
    socket.on('error', reject);
    socket.on('end', () => reject(new Error(`echo: the connection ended after ${got} of ${bytes.length} bytes`)));
    socket.write(bytes);
  });
}

/** How the local connection ended: "reset" when it was reset, else what it received. */
function outcome(port: number, payload: string): Promise<string> {
  return new Promise<string>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let got = '';
    socket.on('data', (d: Buffer) => (got += d.toString()));
    socket.on('error', () => resolve('reset'));
    socket.on('close', () => resolve(got));
    socket.write(payload);
  });
}

const ephemeralContainers = (pod: string) => kubectl(['get', 'pod', '-n', ns, pod, '-o', 'jsonpath={.spec.ephemeralContainers[*].name}']);
const podIP = (pod: string) => kubectl(['get', 'pod', '-n', ns, pod, '-o', 'jsonpath={.status.podIP}']);

describe('port-forward on kubernetes', () => {
  beforeAll(async () => {
    await clusterReady();
    await createNamespace(ns);
    await Promise.all([
      startPod({ namespace: ns, name: 'web', runAsUser: 65532 }),
      startPod({ namespace: ns, name: 'peer', runAsUser: 65532 }),
      startPod({ namespace: ns, name: 'mixed', runAsUser: 65532 }),
      startPod({ namespace: ns, name: 'guarded', runAsUser: 65532 }),
    ]);
  }, 180_000);

  afterAll(async () => {
    await deleteNamespace(ns);
    forgetKubeconfigs(ns);
  });

  it("takes the pod's IP and localhost for its own: pods/portforward, bytes intact both ways, no debugger ever made", async () => {
    const ip = await podIP('web');
    const { cli, forwards, ports } = await startForward([`k8s://${ns}/web`, '8080', '7070', `${ip}:7070`, 'localhost:6060'], 4);
    expect(forwards.map((f) => f.via)).toEqual(['portforward', 'portforward', 'portforward', 'portforward']);
    expect(await talk(ports[0]!, 'GET / HTTP/1.0\r\n\r\n')).toMatch(/hello from sidekick target/);
    const bytes = randomBytes(4 << 20);
    expect((await echo(ports[1]!, bytes)).equals(bytes)).toBe(true);
    expect((await echo(ports[2]!, bytes.subarray(0, 65536))).equals(bytes.subarray(0, 65536))).toBe(true);
    // the port nobody can publish: the pod's loopback only
    expect(await talk(ports[3]!, 'GET / HTTP/1.0\r\n\r\n')).toMatch(/loopback only/);
    // a half-closed request still gets its whole answer
    expect(await talk(ports[1]!, 'both ways')).toBe('both ways');
    // not even one that ended: the pod's spec lists every ephemeral container ever added
    expect(await ephemeralContainers('web')).toBe('');
    cli.kill('SIGINT');
    expect((await cli).exitCode).toBe(130);
    expect(await ephemeralContainers('web')).toBe('');
  });

  it('resets a connection to a port nothing listens on, and says why in one line', async () => {
    const { cli, ports, stderr } = await startForward([`k8s://${ns}/web`, '6061'], 1);
    expect(await outcome(ports[0]!, 'hello')).toBe('reset');
    expect(await eventually(async () => /connection to 127\.0\.0\.1:6061 in k8s:\/\/.*\/web\/app failed: connection refused/.test(stderr()), 10_000)).toBe(true);
    cli.kill('SIGINT');
    expect((await cli).exitCode).toBe(130);
  });

  it('takes both paths in one command: the pod itself natively, another host through the debugger', async () => {
    const peer = await podIP('peer');
    const { cli, forwards, ports } = await startForward([`k8s://${ns}/mixed`, '7070', `${peer}:8080`], 2);
    expect(forwards.map((f) => [f.remote, f.via])).toEqual([
      ['127.0.0.1:7070', 'portforward'],
      [`${peer}:8080`, 'exec'],
    ]);
    const bytes = randomBytes(1 << 20);
    expect((await echo(ports[0]!, bytes)).equals(bytes)).toBe(true);
    expect(await talk(ports[1]!, 'GET / HTTP/1.0\r\n\r\n')).toMatch(/hello from sidekick target/);
    // the relay's debugger, and only that
    expect((await ephemeralContainers('mixed')).split(' ').filter(Boolean)).toHaveLength(1);
    cli.kill('SIGINT');
    expect((await cli).exitCode).toBe(130);
  });

  it('falls back to the debugger in one line when RBAC refuses pods/portforward', async () => {
    const kubeconfig = await accountKubeconfig(ns, 'no-portforward', [
      { verbs: 'get,list,watch', resources: 'pods' },
      { verbs: 'patch,update', resources: 'pods/ephemeralcontainers' },
      { verbs: 'create,get', resources: 'pods/attach,pods/exec' },
    ]);
    const { cli, forwards, ports, stderr } = await startForward(['--kubeconfig', kubeconfig, 'pod/guarded', '7070'], 1);
    expect(forwards[0]!.via).toBe('exec');
    expect(stderr()).toMatch(new RegExp(`^sidekick: forbidden: you may not create or get pods/portforward in namespace ${ns}: forwarding through a debugger instead\n`));
    expect(await talk(ports[0]!, 'both ways')).toBe('both ways');
    cli.kill('SIGINT');
    expect((await cli).exitCode).toBe(130);
  });

  it('names both refusals in one line when the debugger is refused too', async () => {
    const kubeconfig = await accountKubeconfig(ns, 'reader-only', [{ verbs: 'get,list,watch', resources: 'pods' }]);
    const r = await sidekick(['port-forward', '--kubeconfig', kubeconfig, 'pod/guarded', '7070'], { env, timeout: 60_000 });
    expectOneLineError(r, /forbidden: you may not create or get pods\/portforward in namespace .*, and the debugger that would forward instead is refused too \(forbidden: you may not patch pods\/ephemeralcontainers.*\): ask for an RBAC role that allows "create" and "get" on "pods\/portforward"/);
  });
});
