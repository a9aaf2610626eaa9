/**
 * From what the user asked (`sidekick exec` options) to an engine-neutral DebuggerSpec.
 * Pure: no engine, no I/O beyond reading the values passed in, so it is unit-tested on its own.
 */
import { UserError } from '../errors.js';
import { entryArgv, entryEnv } from './entry-script.js';
import { applyProfile, numericUser, parseProfile, profileLimits } from '../runtimes/security.js';
import { LABEL, ROLE_DEBUGGER, type DebuggerSpec, type PullPolicy, type Target } from '../runtimes/runtime.js';
import { envEntries } from '../runtimes/target-config.js';

export const DEFAULT_IMAGE = 'busybox:musl';

export interface ExecRequest {
  image?: string;
  pull?: PullPolicy;
  user?: string;
  env?: string[];
  capAdd?: string[];
  privileged?: boolean;
  /** kubectl debug's profiles, on every engine (default general) */
  profile?: string;
  name?: string;
  /** -i: keep stdin open; undefined = decide from the situation */
  interactive?: boolean;
  /** -t: allocate a terminal; undefined = decide from the situation */
  tty?: boolean;
  /** -d: a debugger that outlives the CLI, to come back to with `sidekick attach` */
  detach?: boolean;
  command: string[];
}

export interface Terminal {
  stdinIsTTY: boolean;
  /** the local TERM, passed on to the remote shell */
  term?: string;
  /** the local environment, for `-e NAME` without a value */
  localEnv: NodeJS.ProcessEnv;
  /** who runs sidekick, recorded on the debugger for `sidekick sessions` */
  owner: string;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const CAPABILITY = /^(CAP_)?[A-Z_]+$/;

/** Decides TTY and stdin the way `docker run` users expect, with an interactive shell by default. */
export function decideStreams(req: Pick<ExecRequest, 'interactive' | 'tty' | 'command'>, term: Pick<Terminal, 'stdinIsTTY'>) {
  const wantsShell = req.command.length === 0;
  const tty = req.tty ?? (wantsShell && term.stdinIsTTY);
  if (tty && !term.stdinIsTTY) {
    throw new UserError('-t needs a terminal on stdin, and stdin is not one', { hint: 'drop -t (use -i to pass stdin)' });
  }
  // A shell without a terminal reads its commands from stdin (`echo ps | sidekick exec app`).
  const stdin = req.interactive ?? (tty || wantsShell);
  return { tty, stdin };
}

export function parseEnv(entries: readonly string[], localEnv: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    const name = eq === -1 ? entry : entry.slice(0, eq);
    if (!ENV_NAME.test(name)) {
      throw new UserError(`bad --env "${entry}"`, { hint: 'use NAME=VALUE, or NAME to pass on your own value' });
    }
    if (eq !== -1) env[name] = entry.slice(eq + 1);
    else if (localEnv[name] !== undefined) env[name] = localEnv[name]!;
  }
  return env;
}

export function normalizeCaps(caps: readonly string[]): string[] {
  const out = new Set<string>();
  for (const cap of caps.flatMap((c) => c.split(','))) {
    const upper = cap.trim().toUpperCase();
    if (!upper) continue;
    if (!CAPABILITY.test(upper)) throw new UserError(`bad --cap-add "${cap}"`, { hint: 'use a capability name such as NET_ADMIN' });
    out.add(upper.replace(/^CAP_/, ''));
  }
  return [...out];
}

export function debuggerName(target: Target, requested?: string): string {
  if (requested !== undefined) {
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(requested)) {
      throw new UserError(`bad --name "${requested}"`, { hint: 'use letters, digits, "_", "." and "-", starting with a letter or digit' });
    }
    return requested;
  }
  const base = target.name.replace(/[^a-zA-Z0-9_.-]/g, '-').slice(0, 40);
  // a name, not a secret: Math.random spares the start-up node:crypto's loading (~2 ms)
  const suffix = Math.floor(Math.random() * 0x1000000).toString(16).padStart(6, '0');
  return `sidekick-${base}-${suffix}`;
}

export function buildDebuggerSpec(target: Target, req: ExecRequest, term: Terminal): DebuggerSpec {
  const { tty, stdin } = decideStreams(req, term);
  const userEnv = parseEnv(req.env ?? [], term.localEnv);
  const sessionEnv: Record<string, string> = {};
  if (tty) {
    sessionEnv.TERM = term.term || 'xterm';
    // The target's name passed the address rules, so it holds no prompt expansions.
    sessionEnv.PS1 = `[sidekick ${target.name}] \\w \\$ `;
  }
  const env = { ...sessionEnv, ...userEnv };
  const security = applyProfile(parseProfile(req.profile), {
    capAdd: normalizeCaps(req.capAdd ?? []),
    privileged: req.privileged ?? false,
    targetUser: numericUser(target.config?.user),
  });
  const config = target.config;
  return {
    image: req.image || DEFAULT_IMAGE,
    pull: req.pull ?? 'missing',
    argv: entryArgv(req.command),
    env: {
      ...env,
      ...entryEnv({
        keep: Object.keys(env),
        user: req.user,
        why: profileLimits(security),
        targetEnv: config && envEntries(config.env).env,
        workdir: config?.workdir,
        command: config?.command,
      }),
    },
    tty,
    stdin,
    security,
    name: debuggerName(target, req.name),
    labels: {
      [LABEL.role]: ROLE_DEBUGGER,
      [LABEL.target]: target.id,
      [LABEL.targetName]: target.address,
      [LABEL.owner]: term.owner,
      ...(req.detach ? { [LABEL.detached]: 'true' } : {}),
    },
    ...(req.detach ? { detached: true } : {}),
  };
}

/** The first line of a session in a copy of a stopped target: what the target is, and that nothing sticks. */
export function copyNotice(stopped: NonNullable<Target['stopped']>): string {
  if (stopped.state === 'image') return 'target is an image: debugging a disposable container of it; changes are discarded';
  const state = stopped.state === 'exited' ? `exited (code ${stopped.exitCode})` : stopped.state;
  return `target is ${state}: debugging a copy of its filesystem; changes are discarded`;
}
