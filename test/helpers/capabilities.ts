/**
 * What each test engine can do on this machine, declared once: the contract scenarios state what
 * they need of these (test/contract/engines.ts `requires`), and the README's support matrix is
 * rendered from the same declarations (test/contract/support-matrix.ts). Pure data: importing it
 * reaches no engine.
 */

/** The matrix's columns; nerdctl's two test engines (its bridge, --net none) share one. */
export type Column = 'docker' | 'podman' | 'containerd' | 'nerdctl' | 'kubernetes';
export const COLUMNS: readonly Column[] = ['docker', 'podman', 'containerd', 'nerdctl', 'kubernetes'];
export const COLUMN_TITLES: Record<Column, string> = { docker: 'Docker', podman: 'Podman', containerd: 'containerd', nerdctl: 'nerdctl', kubernetes: 'Kubernetes' };

export type Capability =
  /** a local engine's container: the scenarios not (yet) written for a pod as well */
  | 'localEngine'
  /** a target is found by a prefix of its ID */
  | 'idPrefix'
  /** a container can exist without running (created, exited): the "not running" scenarios */
  | 'stoppedTargets'
  /** exec on a stopped container opens a session in a copy of its filesystem */
  | 'stoppedCopy'
  /** that copy is seen as the original saw its root: its mounts (volumes, binds), hostname, /sys, /dev/pts */
  | 'copyView'
  /** exec image://REF: a disposable container of a local image */
  | 'imageTargets'
  /** a debugger is removed when its session ends (not only its processes ended) */
  | 'removableDebuggers'
  /** user-defined networks whose names only their members resolve */
  | 'networks'
  /** port-forward --via nsenter: the engine runs here and names the target's process */
  | 'nsenter'
  /** port-forward to the target's own ports through the engine's own forwarding (pods/portforward), no debugger */
  | 'nativePorts'
  /** privileged containers run on this machine */
  | 'privileged'
  /** the CLI finds the engine through a socket an environment variable names */
  | 'endpointSocket'
  /** the debugger's user is its profile's own (a pod's runAsUser does not reach it) */
  | 'debuggerUser'
  /** a memory limit and an OOM kill the test can set up and read back from the cgroup */
  | 'memoryLimits'
  /** the target's resolver is a nameserver the test chooses (and can serve from inside its network namespace) */
  | 'chosenResolver'
  /** the toolkit is pulled by sidekick from a registry (not by a node agent) */
  | 'pullsItself'
  /** the engine says how the target's image starts it (ENTRYPOINT and CMD) */
  | 'imageConfig'
  /** attach watches the terminal for ctrl-p ctrl-q and leaves the debugger running */
  | 'detachKeys'
  /** a debugger without a TTY keeps its stdin when an attach leaves, so its shell waits for the next one */
  | 'keepsStdin'
  /** exec --copy: a crash-looping pod debugged in a copy of it */
  | 'podCopy'
  /** Kubernetes' own: nodes (node/NAME) and workloads (deploy/NAME...) */
  | 'nodes'
  | 'workloads';

/** true: the engine has it here; a string: why it has not (printed where a scenario is not applicable). */
export type Capabilities = Record<Capability, true | string>;

const LOCAL: Capabilities = {
  localEngine: true,
  idPrefix: true,
  stoppedTargets: true,
  stoppedCopy: true,
  copyView: true,
  imageTargets: true,
  removableDebuggers: true,
  networks: true,
  nsenter: true,
  nativePorts: '-',
  privileged: true,
  endpointSocket: true,
  debuggerUser: true,
  memoryLimits: true,
  chosenResolver: true,
  pullsItself: true,
  imageConfig: true,
  detachKeys: true,
  keepsStdin: true,
  podCopy: '-',
  nodes: '',
  workloads: '',
};

export const CAPABILITIES: Record<Column, Capabilities> = {
  docker: { ...LOCAL, privileged: 'dockerd 20.10 asks runc for CAP_SYS_RESOURCE, which the test VM lacks' },
  podman: {
    ...LOCAL,
    keepsStdin: "Podman's conmon closes the stdin of a debugger without a TTY when an attach leaves (no `--leave-stdin-open`), which ends its shell: sidekick says so at `exec -d` and `attach`",
  },
  containerd: LOCAL,
  nerdctl: LOCAL,
  kubernetes: {
    localEngine: 'its own scenarios are in test/k8s',
    idPrefix: 'pods are found by name, never by an ID prefix',
    stoppedTargets: "the kubelet restarts a pod's containers; a pod that does not run is Pending (test/k8s)",
    stoppedCopy: '-',
    copyView: '-',
    imageTargets: '-',
    removableDebuggers: 'ephemeral containers cannot be removed: their processes are ended',
    networks: 'one pod network: every pod resolves every service',
    nsenter: "sidekick does not name a pod's process on the node: a debugger's connections go through pods/exec",
    nativePorts: true,
    privileged: true,
    endpointSocket: 'a cluster is found through a kubeconfig (test/k8s covers an unreachable API)',
    debuggerUser: "a pod's runAsUser reaches its ephemeral containers (test/k8s/profiles-kubernetes.test.ts)",
    memoryLimits: true,
    chosenResolver: true,
    pullsItself: 'the kubelet pulls the toolkit (test/k8s)',
    imageConfig: "the API does not serve image configs: only the pod spec's command, env and workingDir are known",
    detachKeys: true,
    keepsStdin: true,
    podCopy: true,
    nodes: true,
    workloads: true,
  },
};

/** Why an engine cannot run a scenario that needs these ('' when it is not a thing there), or undefined when it can. */
export function lacking(column: Column, needs: readonly Capability[]): string | undefined {
  for (const need of needs) {
    const has = CAPABILITIES[column][need];
    if (has !== true) return has;
  }
  return undefined;
}
