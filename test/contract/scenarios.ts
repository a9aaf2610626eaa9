/**
 * The scenarios of the suite, one per row of the README's support matrix: what each needs of an engine
 * (test/helpers/capabilities.ts) and the test files that run it. The contract tests take their engines
 * from here (engines.ts `forScenario`), and support-matrix.ts renders the matrix from the same data, so
 * the two cannot tell different stories. Pure data: importing it reaches no engine.
 */
import { type Capability, type Column } from '../helpers/capabilities.js';

export interface Scenario {
  /** the matrix row's first cell (Markdown) */
  title: string;
  /** what an engine must have to run it; the others are named on the console with the reason */
  needs: Capability[];
  /** the test files that run it (their itIf(...) tests add what only some engines can do) */
  files: string[];
  /** a cell's words instead of "yes", where an engine runs it: for every engine, or per column */
  yes?: string;
  says?: Partial<Record<Column, string>>;
  /** words added to the cell of an engine that has a capability (port-forward's nsenter) */
  adds?: Partial<Record<Capability, string>>;
  /** where an engine lacks what it needs, but another test covers its own way (test/k8s) */
  elsewhere?: Partial<Record<Column, string>>;
}

const K8S = 'test/k8s/exec-kubernetes.test.ts';

export const SCENARIOS = {
  exec: {
    title: 'processes, files at `/`, unpublished port, env and workdir, exit codes 0/7/127, stdout/stderr apart, stdin `-i`, a script on stdin, read-only and non-root targets, `-u`, a dynamically linked toolkit (its own filesystem, the target\'s at `/proc/1/root`, a note)',
    needs: [],
    files: ['test/contract/exec.contract.test.ts'],
  },
  backpressure: {
    title: 'backpressure: 150 MB of stdout and 50 MB of stderr into a slow reader, output to a reader that comes after the exit, 200 MB of stdin into a command that reads late, 100 MB through `attach`; every byte, the CLI\'s peak RSS under 150 MB',
    needs: [],
    files: ['test/contract/backpressure.contract.test.ts'],
  },
  targetEnv: {
    title: 'the configured env and workdir from the engine, although the process wrote its title over its environ (proctitle fixture and Debian\'s nginx, FROM scratch); values with newlines, quotes, `$`; `entrypoint --print` / `--run` in the session',
    needs: [],
    files: ['test/contract/target-env.contract.test.ts'],
    says: {
      kubernetes:
        'yes, from the pod spec; also `$(VAR)`, ConfigMap/Secret keys, fieldRef, `envFrom`, `workingDir`; RBAC-hidden ones named under `--debug`; `entrypoint --print` when the pod spec sets `command`, else says why not (`test/k8s/target-env.test.ts`)',
    },
  },
  realPrograms: {
    title: "real programs from Debian's packages, FROM scratch, as a non-root user (Redis, PostgreSQL): their `0700` data directories readable, their titles and workers, the engine's environment although Redis's title wrote over it (exec and diagnose), `-u redis`, their ports (a Redis client through `port-forward`); PostgreSQL crashed at start: a session in its copy, as its user, `entrypoint --run` reproducing the crash; `diagnose` of it: its exit code, failed checks, exit 1",
    needs: [],
    files: ['test/contract/real-programs.contract.test.ts'],
    says: { kubernetes: 'yes; PostgreSQL crash-looping in a pod non-root at pod level (`fsGroup`, read-only root): `exec --copy` (`test/k8s/copy.test.ts`); running under a pod-level user, the full view (`test/k8s/profiles-kubernetes.test.ts`)' },
  },
  profiles: {
    title: '`--profile` general/baseline/restricted/netadmin/sysadmin (uid, `CapEff`, no-new-privs)',
    needs: ['debuggerUser'],
    files: ['test/contract/profiles.contract.test.ts'],
    says: { docker: 'yes; `sysadmin` fails here in one line (dockerd 20.10 asks for `CAP_SYS_RESOURCE`, which the test VM lacks)' },
    elsewhere: { kubernetes: 'yes, on a non-root pod in namespaces enforcing nothing, "baseline" and "restricted" (`test/k8s/profiles-kubernetes.test.ts`)' },
  },
  terminal: {
    title: 'interactive TTY in a pseudo-terminal (prompt, resize, ^C, exit code)',
    needs: ['localEngine'],
    files: ['test/e2e/terminal.test.ts'],
    elsewhere: { kubernetes: `yes (\`${K8S}\`)` },
  },
  lifecycle: {
    title: 'SIGINT/SIGTERM/SIGHUP/SIGKILL of the CLI leave nothing; target killed mid-session: message, exit 123',
    needs: [],
    files: ['test/contract/exec-lifecycle.contract.test.ts'],
    says: { kubernetes: `the pod deleted mid-session: 123; SIGINT and SIGKILL of the CLI end the debugger's processes (\`${K8S}\`)` },
  },
  errors: {
    title: 'bad inputs (socket missing, permission denied, ambiguous prefix, not running, `--pull never`, pull failure, no `sh`)',
    needs: ['localEngine', 'endpointSocket'],
    files: ['test/contract/exec-errors.contract.test.ts'],
    elsewhere: { kubernetes: `pod/container not found, RBAC, admission, pull failure, kubeconfig/context, API unreachable (\`${K8S}\`)` },
  },
  finding: {
    title: 'finding the engine or cluster; a bare name searched on every local engine',
    needs: ['localEngine', 'endpointSocket'],
    files: ['test/contract/bare-names.test.ts', 'test/contract/exec-errors.contract.test.ts'],
    says: { docker: 'probe chain, `--debug`', podman: 'probe chain', containerd: 'probe chain', nerdctl: 'probe chain' },
    elsewhere: { kubernetes: 'kubeconfig, `--context`, and in-cluster (a service account\'s token, CA and namespace, no kubeconfig); `test/k8s/cluster-choice.test.ts`' },
  },
  pull: {
    title: 'pull from a registry: `--pull missing|always`, progress on a terminal or not, `-q`',
    needs: ['localEngine', 'pullsItself'],
    files: ['test/contract/pull.test.ts'],
    elsewhere: { kubernetes: `the kubelet pulls; sidekick says so from the pod's events (tested against the local registry), and reports its failure (\`${K8S}\`)` },
  },
  ipc: {
    title: 'IPC namespace',
    needs: ['localEngine'],
    files: ['test/contract/ipc.contract.test.ts'],
    says: { docker: 'joined when the target is `--ipc=shareable`', podman: 'joined (Podman reports every container shareable)', containerd: 'joined', nerdctl: 'joined' },
    elsewhere: { kubernetes: 'shared with the pod' },
  },
  listings: {
    title: '`targets`, `sessions`, `cleanup` (`--only`, `--all`)',
    needs: [],
    files: ['test/contract/listings.contract.test.ts'],
    says: { kubernetes: `yes; cleanup ends a debugger's processes (ephemeral containers stay); \`sessions\` lists ended ephemeral debuggers too (\`${K8S}\`)` },
  },
  stoppedCopy: {
    title: 'stopped/exited/never-started container: a session in a copy (crash file, env, user, workdir, `-u`, restricted; original\'s state, exit code and writable layer unchanged; nothing left after exit, SIGINT, SIGKILL mid-session and mid-copy; removed while copied: one line or the copy, nothing left)',
    needs: ['stoppedCopy'],
    files: ['test/contract/exec-stopped.contract.test.ts', 'test/contract/exec-stopped-removed.test.ts', 'test/contract/exec-stopped-removed-containerd.test.ts'],
    says: {
      docker: 'yes (commit; the debugger runs in it)',
      podman: 'yes (commit; the debugger runs in it, `type=image`)',
      containerd: 'yes (overlay over its snapshot)',
      nerdctl: 'yes (overlay over its snapshot; real `nerdctl run` containers, and ctr-made ones with its labels)',
    },
  },
  copyView: {
    title: "a stopped container's copy as the original saw its root: its binds and named volume (read-only), tmpfs (fresh), hostname, `/sys` with its cgroups, `/dev` with `/dev/pts` holding the session's terminal (`tty`, a shell in a pseudo-terminal); original unchanged, nothing left after SIGKILL",
    needs: ['copyView'],
    files: ['test/contract/exec-stopped-view.test.ts'],
    says: {
      docker: 'yes (`Mounts` of bind, volume and tmpfs, `--tmpfs`, `--hostname`, given again to the container of the committed image)',
      podman: 'yes (as Docker)',
      containerd: 'yes (binds and tmpfs of `ctr run`, which sets no hostname)',
      nerdctl: 'yes (`nerdctl run -v DIR`, `-v VOLUME`, `--tmpfs`, `--hostname`; `/etc/hosts`, `/etc/hostname`)',
    },
  },
  podCopy: {
    title: 'crash-looping or terminated container (distroless, root and non-root): one line suggesting `--copy`; `exec --copy` in a copy of the pod (files, env, user, workdir, `entrypoint --print` / `--run`, exit code; original unchanged); the copy deleted at the end, on SIGINT and after SIGKILL (reaper); `--keep` (after SIGKILL only the debugger ends; a copy that never ran is deleted), `--copy-to`; the node\'s pulls of the copy\'s images, init containers\' included; RBAC, an unschedulable copy, a missing pod in one line',
    needs: ['podCopy'],
    files: ['test/k8s/copy.test.ts'],
  },
  imageTargets: {
    title: '`exec image://REF`: a disposable container of an image (first engine that has it, or `--engine`; `--pull always` pulls it first)',
    needs: ['imageTargets'],
    files: ['test/contract/exec-image.contract.test.ts', 'test/contract/exec-image-engines.contract.test.ts'],
    says: { containerd: 'yes (a snapshot on the image\'s)', nerdctl: 'yes (as containerd)' },
  },
  attach: {
    title: '`exec -d`, then `attach` in a pseudo-terminal and with pipes (output, exit code, removed at the end); `sessions` ATTACH yes/no; a live session of another CLI refused; ended session (exit code, one line, removed) and unknown name',
    needs: ['localEngine'],
    files: ['test/contract/attach.contract.test.ts'],
    elsewhere: { kubernetes: "yes (ended: when and exit code from the pod's status); `kubectl debug -it --attach=false`'s container too (`test/k8s/attach.test.ts`)" },
  },
  detachKeys: {
    title: 'detach keys ctrl-p ctrl-q, in a terminal and in piped input, then a second `attach` to the same shell; `--detach-keys` picks others',
    needs: ['localEngine', 'detachKeys'],
    files: ['test/contract/attach.contract.test.ts'],
    elsewhere: { kubernetes: 'yes (`test/k8s/attach.test.ts`); `--detach-keys` is the same code, tested on the local engines' },
  },
  diagnose: {
    title: 'diagnose (facts, OOM kill, checks: a dns check passes with a resolver that answers and fails once it does not; schema, text, Markdown; a container that never ran: its engine\'s facts, no debugger, exit 1)',
    needs: [],
    files: ['test/contract/diagnose.contract.test.ts'],
  },
  portForward: {
    title: 'port-forward (`--via`), `--follow-restarts` (target killed, then started again)',
    needs: [],
    files: ['test/contract/port-forward.contract.test.ts'],
    yes: 'exec',
    adds: {
      nsenter: '+ nsenter (`--via auto` takes it)',
      nativePorts:
        "+ `pods/portforward` for the pod's own ports, its IP and `localhost` too (`--via auto` takes it, no debugger); restarted by the kubelet for `--follow-restarts`; other hosts through a debugger in the same command; RBAC without `pods/portforward`: through the debugger, said in one line; refused too: one line (`test/k8s/port-forward-native.test.ts`)",
    },
  },
  nodes: {
    title: 'nodes: `node/NAME`, `k8s://node/NAME`: kubelet among processes, node files at `/`, host pid/net/ipc under general, netadmin, sysadmin; listed by `sessions`; pod deleted on exit, SIGINT, SIGKILL (reaper); missing node, NotReady node, `--profile restricted`',
    needs: ['nodes'],
    files: ['test/k8s/node.test.ts'],
  },
  workloads: {
    title: 'workloads: `deploy/`, `deployment/`, `sts/`, `statefulset/`, `ds/`, `rs/`, `job/`, `svc/`, `k8s://NS/KIND/NAME`, `-l`; diagnose of every pod (`--json` array, worst exit code); no running pod, missing workload, ambiguous kind, empty selection',
    needs: ['workloads'],
    files: ['test/k8s/workloads.test.ts'],
  },
} satisfies Record<string, Scenario>;

export type ScenarioId = keyof typeof SCENARIOS;
