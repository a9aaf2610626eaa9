/**
 * The entry script: runs as the debugger's main process, in the target's pid namespace, and puts the
 * user's command into the target's filesystem without writing anything there.
 *
 * How: this process stays outside the target's root as an "anchor". Everything started inside the
 * target's root (/proc/PID/root, entered with chroot) reaches the toolkit's files through
 * /proc/ANCHOR/root, which goes first on PATH. The user's command arrives as the script's arguments
 * ("$@"); the script text is fixed and travels in an environment variable, so nothing a user types is
 * ever parsed as shell.
 *
 * Inputs (environment): SIDEKICK_TARGET_PID (default 1), SIDEKICK_TARGET_ROOT (the target's root when
 * it has no process: a copy mounted in the debugger), SIDEKICK_KEEP_ENV (names the target's
 * environment must not override), SIDEKICK_USER (optional uid[:gid] or a user name of the target),
 * the environment the engine configured (SIDEKICK_TARGET_ENV and SIDEKICK_TARGET_ENV_<NAME>, see
 * src/runtimes/target-config.ts), its working directory (SIDEKICK_TARGET_WORKDIR), and its command
 * line for the `entrypoint` helper (SIDEKICK_TARGET_ARGC, SIDEKICK_TARGET_ARG_<N>; the helper's text
 * in SIDEKICK_ENTRYPOINT, see entrypoint.sh),
 * SIDEKICK_WHY (the profile's reason for less than the full view), SIDEKICK_RUN_AS (uid:gid to become
 * first, where the engine cannot set the debugger's user), SIDEKICK_OUTPUT (a directory whose stdout and
 * stderr FIFOs take the output, where the engine's own copy of it would lose some).
 */

import { targetEnvVars } from '../runtimes/target-config.js';
import entryTemplate from './entry.sh?raw';
import entrypointHelper from './entrypoint.sh?raw';

/** Runs inside the target's root: go to the target's working directory, then run the command. */
const STAGE_TWO = 'cd -- "$SIDEKICK_CWD" 2>/dev/null || cd /; unset SIDEKICK_CWD; [ "$#" -gt 0 ] || set -- sh; exec "$@"';

export const ENTRY_SCRIPT: string = entryTemplate.replaceAll('@STAGE_TWO@', STAGE_TWO);


/** The debugger's command line: a fixed launcher that evaluates the script, the user's words as "$@". */
export function entryArgv(userCommand: readonly string[]): string[] {
  return ['sh', '-c', 'eval "$SIDEKICK_ENTRY"', 'sidekick', ...userCommand];
}

export interface EntryEnvOptions {
  /** names set by the user (-e), which the target's environment must not override */
  keep: readonly string[];
  user?: string;
  targetPid?: number;
  /** why the debugger may have less than the full view (its profile), said if it does */
  why?: string;
  /** the environment the engine configured; absent when the engine does not know it */
  targetEnv?: ReadonlyMap<string, string>;
  /** the working directory the engine configured */
  workdir?: string;
  /** ENTRYPOINT+CMD as the engine says the target starts; absent when it does not say */
  command?: readonly string[];
}

/** The environment variables that carry the script and its inputs. */
export function entryEnv(opts: EntryEnvOptions): Record<string, string> {
  const env: Record<string, string> = { SIDEKICK_ENTRY: ENTRY_SCRIPT };
  if (opts.keep.length) env.SIDEKICK_KEEP_ENV = opts.keep.join(' ');
  if (opts.user) env.SIDEKICK_USER = opts.user;
  if (opts.why) env.SIDEKICK_WHY = opts.why;
  if (opts.targetPid !== undefined && opts.targetPid !== 1) env.SIDEKICK_TARGET_PID = String(opts.targetPid);
  if (opts.targetEnv) Object.assign(env, targetEnvVars(opts.targetEnv, opts.keep));
  if (opts.workdir) env.SIDEKICK_TARGET_WORKDIR = opts.workdir;
  env.SIDEKICK_ENTRYPOINT = entrypointHelper;
  if (opts.command) {
    // one variable per argument: values travel as they are, never as shell text
    env.SIDEKICK_TARGET_ARGC = String(opts.command.length);
    opts.command.forEach((arg, i) => (env[`SIDEKICK_TARGET_ARG_${i}`] = arg));
  }
  return env;
}
