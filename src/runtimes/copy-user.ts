/** Who a session in a copy of a stopped target runs as (every engine's copy: Docker, Podman, containerd). */
import type { DebuggerSpec, Target } from './runtime.js';

const ROOT_USER = /^(0|root)(:(0|root))?$/;

/**
 * The session runs as the container's configured user, as the app did (a running target's debugger
 * finds that in the app's process; a copy has none), unless -u says otherwise or the profile already
 * chose a non-root user (restricted) that could not switch.
 */
export function asConfiguredUser(target: Target, spec: DebuggerSpec): Record<string, string> {
  const user = target.config?.user;
  const root = spec.security.user === undefined || spec.security.user.uid === 0;
  // root (containerd's spec says "0:0") is who the debugger is already
  if (!user || ROOT_USER.test(user) || spec.env.SIDEKICK_USER !== undefined || !root) return spec.env;
  return { ...spec.env, SIDEKICK_USER: user };
}
