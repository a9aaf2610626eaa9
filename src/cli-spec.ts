/**
 * Every command and option, once. Two parsers read this table: node's built-in parseArgs on the hot
 * path (no module to load before the first engine call), and yargs for --help, usage errors and
 * anything parseArgs does not take (then yargs decides what the words mean).
 */
import { parseArgs } from 'node:util';

export interface OptionSpec {
  type: 'string' | 'boolean';
  alias?: string;
  description: string;
  default?: string | boolean;
  choices?: readonly string[];
  /** may be given several times (-e A -e B) */
  repeatable?: boolean;
}

export interface PositionalSpec {
  name: string;
  description: string;
  required: boolean;
  /** takes every remaining word */
  variadic?: boolean;
  /** the only words it takes */
  choices?: readonly string[];
}

export interface CommandSpec {
  name: string;
  description: string;
  positionals: PositionalSpec[];
  options: Record<string, OptionSpec>;
  examples?: Array<[string, string]>;
}

export type OptionValue = string | boolean | string[] | undefined;

export interface ParsedCommand {
  command: string;
  positionals: Record<string, string | string[] | undefined>;
  options: Record<string, OptionValue>;
}

const PULL: OptionSpec = { type: 'string', choices: ['missing', 'always', 'never'], default: 'missing', description: 'when to pull the toolkit image' };
const IMAGE: OptionSpec = { type: 'string', default: 'busybox:musl', description: 'toolkit image (statically linked tools work best)' };
const TARGET: PositionalSpec = { name: 'target', required: true, description: 'NAME, ID or ENGINE://ADDRESS (docker://, podman://, containerd://NS/ID, nerdctl://, k8s://NS/POD/CONTAINER, deploy/NAME, k8s://NS/sts/NAME, node/NAME)' };
/** Where Kubernetes targets live; other engines ignore these. */
const KUBE: Record<string, OptionSpec> = {
  namespace: { type: 'string', alias: 'n', description: 'Kubernetes namespace (default: the context\'s)' },
  context: { type: 'string', description: 'kubeconfig context' },
  kubeconfig: { type: 'string', description: 'kubeconfig file (default: KUBECONFIG, then ~/.kube/config)' },
};
/** For the listings: one engine instead of every reachable one. */
const LIST_ON: OptionSpec = { type: 'string', choices: ['docker', 'podman', 'containerd', 'nerdctl', 'kubernetes'], description: 'ask just this engine (default: every reachable one)' };
/** For commands that start a debugger on Kubernetes (kubectl attach's flag name). */
const POD_RUNNING_TIMEOUT: OptionSpec = { type: 'string', default: '2m', description: 'Kubernetes: how long to wait for the debugger (or its pod) to run, e.g. 30s, 2m' };
const PROFILE: OptionSpec = {
  type: 'string',
  choices: ['general', 'baseline', 'restricted', 'netadmin', 'sysadmin'],
  default: 'general',
  description: "the debugger's security, as kubectl debug's profiles (on every engine): general (root, SYS_PTRACE), baseline (no added capabilities), restricted (non-root, no capabilities), netadmin (general + NET_ADMIN, NET_RAW), sysadmin (privileged)",
};
const SELECTOR: OptionSpec = { type: 'string', alias: 'l', description: "Kubernetes label selector narrowing a workload's pods (deploy/NAME -l tier=web)" };
const JSON_OUT: OptionSpec = { type: 'boolean', default: false, description: 'print JSON for scripts' };

export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  debug: { type: 'boolean', description: 'explain what sidekick does; show stack traces on errors' },
};

export const COMMANDS: CommandSpec[] = [
  {
    name: 'exec',
    description: "Start a shell (or run COMMAND) in the target's namespaces, with its filesystem as /",
    positionals: [TARGET, { name: 'command', required: false, variadic: true, description: 'command to run instead of a shell (put it after --)' }],
    options: {
      image: IMAGE,
      pull: { ...PULL, description: 'when to pull the toolkit image (and the image of an image:// target)' },
      engine: { type: 'string', choices: ['docker', 'podman', 'containerd', 'nerdctl'], description: 'the engine that runs an image://REF target (default: the first local one that has the image)' },
      user: { type: 'string', alias: 'u', description: "run as this user of the target (uid[:gid] or a name in the target's /etc/passwd)" },
      env: { type: 'string', alias: 'e', repeatable: true, description: 'set NAME=VALUE (or pass NAME from your environment)' },
      'cap-add': { type: 'string', repeatable: true, description: 'add a Linux capability to the debugger' },
      privileged: { type: 'boolean', default: false, description: 'run the debugger privileged (never the default)' },
      name: { type: 'string', description: 'name of the debugger container' },
      interactive: { type: 'boolean', alias: 'i', description: 'keep stdin open (default: only for a shell)' },
      tty: { type: 'boolean', alias: 't', description: 'allocate a terminal (default: for a shell on a terminal)' },
      detach: { type: 'boolean', alias: 'd', default: false, description: 'leave the debugger running and print its address; come back with "sidekick attach"' },
      quiet: { type: 'boolean', alias: 'q', default: false, description: "print nothing of sidekick's own" },
      profile: PROFILE,
      selector: SELECTOR,
      ...KUBE,
      'pod-running-timeout': POD_RUNNING_TIMEOUT,
      copy: { type: 'boolean', default: false, description: "Kubernetes: debug a copy of the pod whose container waits instead of running (a crash-looping one); the copy is deleted at the end" },
      'copy-to': { type: 'string', description: 'name of the copy (implies --copy; default POD-sidekick-copy-xxxx)' },
      keep: { type: 'boolean', default: false, description: 'keep the copy after the session (with --copy)' },
    },
    examples: [
      ['$0 exec my-app', 'a shell with tools inside a distroless container'],
      ['$0 exec --copy k8s://shop/api-7d9f/app', 'a crash-looping container: a copy of its pod, deleted at the end'],
      ['$0 exec my-app -- ps', "one command; its exit code is sidekick's"],
      ['$0 exec -u 65532 docker://4f2a -- id', 'as a given user'],
    ],
  },
  {
    name: 'diagnose',
    description: 'Report what runs in the target, what it listens on and reaches, its limits and OOM kills',
    positionals: [TARGET],
    options: {
      format: { type: 'string', choices: ['text', 'json', 'markdown'], default: 'text', description: 'report format' },
      json: { type: 'boolean', default: false, description: 'same as --format json' },
      check: { type: 'string', repeatable: true, description: 'tcp://HOST:PORT, http(s)://URL, dns:NAME, process:NAME or port:PORT (repeatable)' },
      timeout: { type: 'string', default: '60s', description: 'bound on the whole diagnosis (each probe gets at most 5s)' },
      image: IMAGE,
      pull: PULL,
      quiet: { type: 'boolean', alias: 'q', default: false, description: 'no progress on stderr' },
      profile: PROFILE,
      selector: SELECTOR,
      ...KUBE,
      'pod-running-timeout': POD_RUNNING_TIMEOUT,
    },
    examples: [
      ['$0 diagnose my-app --json > report.json', 'machine-readable (schema/diagnose-report.schema.json)'],
      ['$0 diagnose my-app --check tcp://db:5432 --check dns:db', 'exit 1 if a check fails'],
    ],
  },
  {
    name: 'port-forward',
    description: "Forward local ports to ports inside the target's network namespace, published or not",
    positionals: [
      TARGET,
      {
        name: 'specs',
        required: true,
        variadic: true,
        description: '[[LOCAL_HOST:]LOCAL_PORT:][REMOTE_HOST:]REMOTE_PORT (remote host seen from the target, default 127.0.0.1; local port 0 or none: a free one)',
      },
    ],
    options: {
      json: { type: 'boolean', default: false, description: 'print each forward as a JSON line {local, target, remote, via}' },
      via: {
        type: 'string',
        choices: ['auto', 'exec', 'nsenter'],
        default: 'auto',
        description:
          "how connections reach the target: nsenter (from its network namespace, engine on this machine, as root; fastest), exec (nc through the engine, works everywhere), auto (nsenter when it works; on Kubernetes, the pod's own ports through pods/portforward, no debugger)",
      },
      image: { ...IMAGE, description: 'toolkit image (needs busybox nc)' },
      pull: PULL,
      name: { type: 'string', description: 'name of the debugger container' },
      'follow-restarts': {
        type: 'boolean',
        default: false,
        description: 'when the target stops, keep the local ports and wait for it to run again (connections meanwhile are refused), instead of exiting 123',
      },
      quiet: { type: 'boolean', alias: 'q', default: false, description: "no messages of sidekick's own on stderr (failed connections included)" },
      profile: PROFILE,
      ...KUBE,
      'pod-running-timeout': POD_RUNNING_TIMEOUT,
    },
    examples: [
      ['$0 port-forward my-app 8080', "a free local port -> the target's 8080"],
      ['$0 port-forward my-app 9000:127.0.0.1:6060', "local 9000 -> the target's own loopback"],
      ['$0 port-forward my-app 5432:db.internal:5432', 'a host only the target can reach'],
      ['$0 port-forward --follow-restarts my-app 8080', 'survives restarts of the target'],
    ],
  },
  {
    name: 'attach',
    description: 'Join a session started with "exec -d" again (or a running Kubernetes ephemeral debugger); ctrl-p ctrl-q detaches',
    positionals: [{ name: 'session', required: true, description: 'the debugger\'s name or address, as "sidekick sessions" shows it (k8s://NS/POD/DEBUGGER)' }],
    options: {
      quiet: { type: 'boolean', alias: 'q', default: false, description: "print nothing of sidekick's own" },
      'detach-keys': { type: 'string', description: 'the keys that detach, as Docker writes them (default ctrl-p,ctrl-q)' },
      ...KUBE,
    },
    examples: [
      ['$0 attach sidekick-my-app-1a2b3c', 'the shell of "sidekick exec -d my-app", where it was left'],
      ['$0 attach --detach-keys ctrl-x,x my-session', 'ctrl-x then x detaches (ctrl-p stays for the shell)'],
    ],
  },
  { name: 'targets', description: 'List running containers on every reachable engine', positionals: [], options: { json: JSON_OUT, engine: LIST_ON, ...KUBE } },
  { name: 'sessions', description: 'List sidekick debuggers on every reachable engine', positionals: [], options: { json: JSON_OUT, engine: LIST_ON, ...KUBE } },
  {
    name: 'cleanup',
    description: 'Remove debuggers that outlived their session',
    positionals: [],
    options: {
      all: { type: 'boolean', default: false, description: 'remove every debugger, live sessions included' },
      quiet: { type: 'boolean', alias: 'q', default: false, description: 'print nothing' },
      only: { type: 'string', description: 'remove just this debugger (an ID as "sidekick sessions --json" shows it)' },
      engine: LIST_ON,
      ...KUBE,
    },
  },
  {
    name: 'completion',
    description: 'Print a completion script for bash, zsh or fish (commands, options, their values, targets)',
    positionals: [{ name: 'shell', required: false, choices: ['bash', 'zsh', 'fish'], description: 'the shell to complete in' }],
    options: {
      targets: { type: 'boolean', default: false, description: 'print the addresses of running targets, one a line, within ~2 s (the scripts call this, with the -n, --context and --kubeconfig of the line being completed)' },
      ...KUBE,
    },
    examples: [
      ['source <($0 completion bash)', 'complete in this bash session (add it to ~/.bashrc)'],
      ['$0 completion fish > ~/.config/fish/completions/sidekick.fish', 'fish'],
    ],
  },
  {
    name: 'plugins',
    description: 'Install or remove the Docker CLI plugin ("docker sidekick exec NAME")',
    positionals: [{ name: 'action', required: true, choices: ['install', 'uninstall'], description: 'install into $DOCKER_CONFIG/cli-plugins (default ~/.docker/cli-plugins), or uninstall' }],
    options: { quiet: { type: 'boolean', alias: 'q', default: false, description: 'print nothing' } },
  },
];

/**
 * The hot path: node's parseArgs, strict. Anything it cannot settle on its own (help, unknown or
 * negated options, a missing positional, a bad choice) returns undefined, and yargs takes over.
 */
export function quickParse(args: string[]): ParsedCommand | undefined {
  const spec = COMMANDS.find((c) => c.name === args[0]);
  if (!spec || args.some((a) => a === '--help' || a === '-h' || a.startsWith('--no-'))) return undefined;
  const all = { ...GLOBAL_OPTIONS, ...spec.options };
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const [name, o] of Object.entries(all)) {
    options[name] = { type: o.type, ...(o.alias ? { short: o.alias } : {}), ...(o.repeatable ? { multiple: true } : {}) };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: args.slice(1), options, allowPositionals: true, strict: true });
  } catch {
    return undefined;
  }
  const values: Record<string, OptionValue> = {};
  for (const [name, o] of Object.entries(all)) {
    const v = (parsed.values as Record<string, OptionValue>)[name] ?? o.default;
    if (o.choices && typeof v === 'string' && !o.choices.includes(v)) return undefined;
    values[name] = v;
  }
  const words = [...parsed.positionals];
  const positionals: ParsedCommand['positionals'] = {};
  for (const p of spec.positionals) {
    if (p.variadic) {
      positionals[p.name] = words.splice(0);
      if (p.required && positionals[p.name]!.length === 0) return undefined;
    } else {
      const word = words.shift();
      if (word === undefined && p.required) return undefined;
      if (word !== undefined && p.choices && !p.choices.includes(word)) return undefined;
      positionals[p.name] = word;
    }
  }
  if (words.length) return undefined;
  return { command: spec.name, positionals, options: values };
}
