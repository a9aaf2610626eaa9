/**
 * The failures every engine raises in the same words, and the one pull policy every local engine
 * applies. Engine-specific wording (how to start the engine, the CLI to type) comes in as arguments.
 */
import { EXIT, UserError } from '../errors.js';
import type { PullPolicy } from './runtime.js';

/** The toolkit image cannot run the entry script. */
export function noShell(image: string, cause?: unknown): UserError {
  return new UserError(`the toolkit image ${image} has no sh, which sidekick needs`, {
    hint: 'pick an image with a shell, e.g. --image busybox:musl',
    kind: 'invalid',
    cause,
  });
}

/** Another container already has the debugger's name. */
export function nameInUse(name: string, cause?: unknown): UserError {
  return new UserError(`cannot create the debugger: the name "${name}" is already in use`, {
    hint: 'pick another --name, or remove the old one with "sidekick cleanup"',
    kind: 'conflict',
    cause,
  });
}

/** The image is not there and --pull never says not to fetch it; `where` names the engine, `pullFirst` the command that would. */
export function pullForbidden(image: string, where: string, pullFirst: string): UserError {
  return new UserError(`image ${image} is not on ${where} and --pull never forbids pulling`, {
    hint: `pull it first (${pullFirst}) or drop --pull never`,
    kind: 'not-found',
  });
}

export interface ImageAccess {
  /** whether the engine has the image now (asked only under "missing" and "never") */
  present(): Promise<boolean>;
  pull(): Promise<void>;
  /** the error for an absent image under --pull never */
  forbidden(): UserError;
}

/** --pull always|missing|never, the same on every local engine. */
export async function applyPullPolicy(policy: PullPolicy, image: ImageAccess): Promise<void> {
  if (policy === 'always') return image.pull();
  if (await image.present()) return;
  if (policy === 'never') throw image.forbidden();
  await image.pull();
}

/**
 * The engine stopped answering while a session ran: said as that, with an exit code of its own,
 * rather than guessed to be the target stopping.
 */
export function engineLost(engine: string, endpoint: string, cause: unknown): UserError {
  const why = cause instanceof UserError ? cause.message : cause instanceof Error ? cause.message : String(cause);
  return new UserError(`lost ${engine} at ${endpoint} during the session (${why})`, {
    hint: 'check that the engine runs; once it does, "sidekick cleanup" removes what the session left',
    kind: 'unreachable',
    exitCode: EXIT.ENGINE_LOST,
    cause,
  });
}

/** `attach` to an address where no sidekick debugger is (or none any more). */
export function noSession(address: string): UserError {
  return new UserError(`no sidekick session at ${address}`, {
    hint: 'list them with "sidekick sessions", or start one with "sidekick exec -d TARGET"',
    kind: 'not-found',
  });
}

/** `attach` to a debugger whose process ended: its exit code, and when where the engine still knows. */
export function sessionEnded(name: string, exitCode: number | undefined, endedAt?: Date): UserError {
  const known = endedAt && !Number.isNaN(endedAt.getTime()) && endedAt.getTime() > 0;
  const when = known ? ` at ${endedAt.toISOString().replace(/\.\d+Z$/, 'Z')}` : '';
  const code = exitCode === undefined ? '' : ` with exit code ${exitCode}`;
  return new UserError(`session ${name} ended${when}${code}`, {
    hint: 'start another with "sidekick exec -d TARGET"',
    kind: 'not-running',
  });
}

/** `attach` to a debugger that runs but was not started to be come back to (another CLI's live session). */
export function notAttachable(name: string, why: string): UserError {
  return new UserError(`session ${name} cannot be attached: ${why}`, {
    hint: 'only debuggers started with "sidekick exec -d" (on Kubernetes: running with stdin and a TTY) can be; see the ATTACH column of "sidekick sessions"',
    kind: 'invalid',
  });
}

