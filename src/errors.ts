/**
 * The one error type for failures a user can act on. Thrown anywhere, printed once by the CLI entry
 * as a single line (message + what to do), never with a stack trace unless --debug.
 */
export const EXIT = {
  /** sidekick itself could not do what was asked (bad input, engine, image...), as `docker run` uses 125 */
  FAILURE: 125,
  /** the target stopped while the session was running */
  TARGET_STOPPED: 123,
  /** the engine stopped answering while the session was running */
  ENGINE_LOST: 122,
} as const;

/**
 * What went wrong, for code that decides on it (e.g. which engine's failure to report for a bare
 * name); the wording is for people and may change.
 */
export type ErrorKind =
  /** the target, namespace, image or debugger asked for is not there */
  | 'not-found'
  /** the engine (or cluster) cannot be reached, or stopped answering */
  | 'unreachable'
  /** the engine refused us: permissions, credentials, RBAC, admission */
  | 'denied'
  /** a name or ID prefix matches more than one */
  | 'ambiguous'
  /** the target exists but does not run (stopped, paused, pending) */
  | 'not-running'
  /** what the user typed is malformed or contradictory */
  | 'invalid'
  /** a name is taken, a port in use */
  | 'conflict'
  /** the toolkit image cannot run where the session needs it (a dynamically linked sh in a copy) */
  | 'toolkit'
  /** anything else that failed */
  | 'failed';

export class UserError extends Error {
  readonly hint?: string;
  readonly exitCode: number;
  readonly kind: ErrorKind;

  constructor(message: string, opts: { hint?: string; exitCode?: number; cause?: unknown; kind?: ErrorKind } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'UserError';
    this.hint = opts.hint;
    this.exitCode = opts.exitCode ?? EXIT.FAILURE;
    this.kind = opts.kind ?? 'failed';
  }

  /** The one line a person reads. */
  get line(): string {
    return this.hint ? `${this.message}: ${this.hint}` : this.message;
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}

/** Whether a failure is a UserError of one of these kinds. */
export function isKind(e: unknown, ...kinds: ErrorKind[]): e is UserError {
  return e instanceof UserError && kinds.includes(e.kind);
}
