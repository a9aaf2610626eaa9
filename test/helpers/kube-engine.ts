/**
 * Kubernetes for the contract suite: each target is a pod of the fixture on the test cluster
 * (scripts/k8s), in one namespace per test file that dispose() deletes. Images come from containerd's
 * k8s.io namespace (imagePullPolicy Never), where scripts/engines/containerd.sh imports the fixtures.
 * What it cannot do (stopped targets, removable debuggers, networks...) is declared in
 * capabilities.ts, and the scenarios that need it are not registered here.
 */
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { CAPABILITIES } from './capabilities.js';
import { FIXTURE_READY, type StartedTarget, type TargetOptions, type TestEngine } from './engines.js';
import { KUBECONFIG, clusterReady, createNamespace, deleteNamespace, kubectl, startPod, uniqueNamespace } from './kube.js';

interface ContainerStatus {
  name: string;
  containerID?: string;
  restartCount?: number;
  ready?: boolean;
}

interface PodList {
  items: Array<{
    metadata: { name: string; uid: string; deletionTimestamp?: string };
    status?: {
      containerStatuses?: ContainerStatus[];
      ephemeralContainerStatuses?: Array<{ name: string; state?: { running?: unknown } }>;
    };
  }>;
}

export class KubernetesEngine implements TestEngine {
  readonly name = 'kubernetes';
  readonly column = 'kubernetes';
  readonly capabilities = CAPABILITIES.kubernetes;
  readonly env = { KUBECONFIG };
  readonly endpointVariable = 'KUBECONFIG';
  readonly runsPrivileged = true;
  readonly nsenter = false;
  private namespace?: Promise<string>;

  /** The namespace of this test file's pods, made on first use. */
  private ns(): Promise<string> {
    this.namespace ??= (async () => {
      const name = uniqueNamespace('sk-contract');
      await createNamespace(name, { 'io.sidekick.test': 'contract' });
      this.resolvedNamespace = name;
      return name;
    })();
    return this.namespace;
  }

  async ready(): Promise<void> {
    await clusterReady();
    await this.ns();
  }

  /** Deletes this file's namespace, and with it every pod left. */
  async dispose(): Promise<void> {
    if (this.namespace) await deleteNamespace(await this.namespace);
    this.namespace = undefined;
    this.resolvedNamespace = undefined;
  }

  addressOf(name: string): string {
    return `k8s://${this.namespaceNow()}/${name}`;
  }

  /** This file's namespace: `cleanup --all` there ends no one else's session on the shared cluster, nor any local engine's. */
  listingScope(): string[] {
    return ['--engine', 'kubernetes', '-n', this.namespaceNow()];
  }

  notFound(name: string): RegExp {
    const ns = this.namespaceNow();
    return new RegExp(`pod ${name} not found in namespace ${ns}: list pods with "kubectl get pods -n ${ns}"`);
  }

  private resolvedNamespace?: string;
  private namespaceNow(): string {
    if (!this.resolvedNamespace) throw new Error('kubernetes: ready() first');
    return this.resolvedNamespace;
  }

  async startTarget(opts: TargetOptions = {}): Promise<StartedTarget> {
    if (opts.network || opts.networkAliases) throw new Error(`kubernetes: ${this.capabilities.networks}`);
    if (opts.exits) throw new Error(`kubernetes: ${this.capabilities.stoppedTargets}`);
    const namespace = await this.ns();
    const name = `sk-${randomBytes(4).toString('hex')}`;
    const uid = opts.user === undefined ? undefined : Number(opts.user.split(':')[0]);
    if (uid !== undefined && Number.isNaN(uid)) throw new Error('kubernetes: a target user is a uid here (runAsUser)');
    await startPod({
      namespace,
      name,
      fixture: opts.fixture,
      runAsUser: uid,
      readOnly: opts.readOnly,
      args: opts.args,
      memoryBytes: opts.memoryBytes,
      dns: opts.dns,
      env: opts.env?.map((e) => ({ name: e.slice(0, e.indexOf('=')), value: e.slice(e.indexOf('=') + 1) })),
    });
    // the fixture prints once it serves
    for (let i = 0; i < 100 && !(await kubectl(['logs', '-n', namespace, name]).catch(() => '')).includes(FIXTURE_READY[opts.fixture ?? 'target']); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const id = (await kubectl(['get', 'pod', '-n', namespace, name, '-o', 'jsonpath={.metadata.uid}'])).trim();
    // the address sidekick reports (its canonical form names the container)
    return { name, id, address: `k8s://${namespace}/${name}/app` };
  }

  async createStopped(): Promise<StartedTarget> {
    throw new Error(`kubernetes: ${this.capabilities.stoppedTargets}`);
  }

  /** The pod goes away, as a deleted or evicted pod does: a target that ends for good. */
  async kill(target: StartedTarget): Promise<void> {
    await kubectl(['delete', 'pod', '-n', await this.ns(), target.name, '--wait=false']).catch(() => undefined);
  }

  /** The app container's process killed on the node, as a crash would end it: the kubelet starts it again. */
  async crash(target: StartedTarget): Promise<void> {
    const status = await this.appStatus(target);
    if (!status?.containerID) throw new Error(`kubernetes: no container of pod ${target.name} runs`);
    this.restartsBefore.set(target.name, status.restartCount ?? 0);
    await execa('ctr', ['-n', 'k8s.io', 'tasks', 'kill', '--signal=SIGKILL', status.containerID.replace(/^containerd:\/\//, '')]);
  }

  private readonly restartsBefore = new Map<string, number>();

  /** Waits for the kubelet's restart of a crashed target (a deleted pod does not run again). */
  async startAgain(target: StartedTarget): Promise<void> {
    const before = this.restartsBefore.get(target.name);
    if (before === undefined) throw new Error(`kubernetes: ${target.name} did not crash: a deleted pod does not run again`);
    for (let i = 0; i < 600; i++) {
      const status = await this.appStatus(target);
      if ((status?.restartCount ?? 0) > before && status?.ready) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`kubernetes: the kubelet did not restart ${target.name} within a minute`);
  }

  private async appStatus(target: StartedTarget): Promise<ContainerStatus | undefined> {
    return (await this.pods()).find((p) => p.metadata.name === target.name)?.status?.containerStatuses?.find((c) => c.name === 'app');
  }

  async remove(target: StartedTarget): Promise<void> {
    await this.kill(target);
  }

  private async pods(): Promise<PodList['items']> {
    return (JSON.parse(await kubectl(['get', 'pods', '-n', await this.ns(), '-o', 'json'])) as PodList).items;
  }

  /**
   * Ephemeral containers cannot be removed: what a session must leave behind is no debugger still
   * running, in the pods that are not being deleted.
   */
  async runningDebuggers(): Promise<string[]> {
    return (await this.pods())
      .filter((p) => !p.metadata.deletionTimestamp)
      .flatMap((p) => (p.status?.ephemeralContainerStatuses ?? []).filter((s) => s.state?.running).map((s) => `${p.metadata.name}/${s.name}`));
  }

  async debuggers(): Promise<string[]> {
    return this.runningDebuggers();
  }

  async allIds(): Promise<string[]> {
    return (await this.pods()).map((p) => p.metadata.uid);
  }

  async hasImage(image: string): Promise<boolean> {
    const r = await execa('ctr', ['-n', 'k8s.io', 'images', 'ls', '-q', `name==${image}`], { reject: false });
    return r.stdout.trim().length > 0;
  }

  async forgetImage(image: string): Promise<void> {
    await execa('ctr', ['-n', 'k8s.io', 'images', 'rm', image], { reject: false });
  }

  async createNetwork(): Promise<string> {
    throw new Error(`kubernetes: ${this.capabilities.networks}`);
  }

  async removeNetwork(): Promise<void> {}

  /** The app container's task on this node (the test cluster's kubelet runs here, on containerd). */
  async pid(target: StartedTarget): Promise<number> {
    const id = (await this.appStatus(target))?.containerID?.replace(/^containerd:\/\//, '');
    if (!id) throw new Error(`kubernetes: no container of pod ${target.name} runs`);
    const tasks = (await execa('ctr', ['-n', 'k8s.io', 'tasks', 'ls'])).stdout.split('\n').map((l) => l.trim().split(/\s+/));
    const row = tasks.find((f) => f[0] === id);
    if (!row) throw new Error(`kubernetes: no task ${id} on containerd`);
    return Number(row[1]);
  }
}

export const kubernetesEngine = new KubernetesEngine();
