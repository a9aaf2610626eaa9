/**
 * How the engine says a target was configured to run: its environment, user, working directory and
 * command line, as `docker inspect`, the OCI spec or the pod spec hold them. The process's own view
 * (/proc/1/environ) can be gone: daemons that set a process title (nginx, postgres) write it over
 * their environment, and a stopped container has no process at all. Pure: unit-tested on its own.
 */

export interface TargetConfig {
  /** the configured environment as NAME=VALUE entries, in the engine's order (a later name wins) */
  env: string[];
  /** the configured user (`name`, `uid`, `uid:gid`), when the engine knows it */
  user?: string;
  /** the configured working directory, when the engine knows it */
  workdir?: string;
  /** the process's command line, ENTRYPOINT then CMD, when the engine knows it whole */
  command?: string[];
  /** what the engine could not tell (Kubernetes: a secret these credentials may not read...), for --debug */
  unknown: string[];
}

/** A name the entry script can export: a shell variable name. */
const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Variables that carry sidekick's own inputs; a target's of that name would be read as one. */
const RESERVED = /^SIDEKICK_/;

/** The variable that lists the configured names; each value travels in PREFIX + NAME. */
export const TARGET_ENV_LIST = 'SIDEKICK_TARGET_ENV';
export const TARGET_ENV_PREFIX = 'SIDEKICK_TARGET_ENV_';

/** NAME=VALUE entries to a map, a later entry winning; entries a shell cannot export are listed apart. */
export function envEntries(entries: readonly string[]): { env: Map<string, string>; skipped: string[] } {
  const env = new Map<string, string>();
  const skipped: string[] = [];
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    // Docker allows an entry without "=" (unset); the process never had it
    const name = eq === -1 ? entry : entry.slice(0, eq);
    if (eq === -1 || !SHELL_NAME.test(name) || RESERVED.test(name)) {
      skipped.push(name);
      continue;
    }
    env.delete(name); // a later entry wins, and keeps its place
    env.set(name, entry.slice(eq + 1));
  }
  return { env, skipped };
}

/**
 * The debugger's variables that give the entry script the configured environment: each value as
 * the value of its own variable (SIDEKICK_TARGET_ENV_NAME), so newlines, quotes and `$` arrive as
 * they are, never parsed as shell; SIDEKICK_TARGET_ENV lists the names (shell names only, so the
 * list splits on spaces). Names the user set with -e are left out: the user's value wins.
 */
export function targetEnvVars(env: ReadonlyMap<string, string>, keep: readonly string[]): Record<string, string> {
  const kept = new Set(keep);
  const names = [...env.keys()].filter((name) => !kept.has(name));
  const vars: Record<string, string> = { [TARGET_ENV_LIST]: names.join(' ') };
  for (const name of names) vars[TARGET_ENV_PREFIX + name] = env.get(name)!;
  return vars;
}

/** What --debug tells of a target's configuration: what could not be learned or passed on. */
export function configNotes(config: TargetConfig): string[] {
  const { skipped } = envEntries(config.env);
  const notes = config.unknown.map((u) => `not known: ${u}`);
  if (skipped.length) notes.push(`environment entries not passed on (not shell names, or sidekick's own): ${skipped.join(', ')}`);
  return notes;
}

const ROOT_USER = /^(0|root)(:(0|root))?$/;

/**
 * A session in a copy (a stopped container's, a crash-looping pod's) runs as the configured user, as
 * the app did (a running target's debugger finds that in the app's process; a copy's debugger is not
 * the app's process), unless -u says otherwise or the profile already chose a non-root user (restricted) that
 * could not switch. Returns the debugger's environment with that user.
 */
export function asConfiguredUser(config: TargetConfig | undefined, spec: { env: Record<string, string>; security: { user?: { uid: number } } }): Record<string, string> {
  const user = config?.user;
  const root = spec.security.user === undefined || spec.security.user.uid === 0;
  // root (containerd's spec says "0:0") is who the debugger is already
  if (!user || ROOT_USER.test(user) || spec.env.SIDEKICK_USER !== undefined || !root) return spec.env;
  return { ...spec.env, SIDEKICK_USER: user };
}
