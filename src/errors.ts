/**
 * The one error type for failures a user can act on. Thrown anywhere, printed once by the CLI entry
 * as a single line (message + what to do), never with a stack trace unless --debug.
 */
export const EXIT = {
  /** sidekick itself could not do what was asked (bad input, engine, image...), as `docker run` uses 125 */
  FAILURE: 125,
  /** the target stopped while the session was running */
  TARGET_STOPPED: 123,
} as const;

export class UserError extends Error {
  readonly hint?: string;
  readonly exitCode: number;

  constructor(message: string, opts: { hint?: string; exitCode?: number; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'UserError';
    this.hint = opts.hint;
    this.exitCode = opts.exitCode ?? EXIT.FAILURE;
  }

  /** The one line a person reads. */
  get line(): string {
    return this.hint ? `${this.message}: ${this.hint}` : this.message;
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}
