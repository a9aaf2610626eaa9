/**
 * The keys that leave an attached session running and give the terminal back: ctrl-p ctrl-q by
 * default, or what `--detach-keys` names in Docker's syntax. Watched on the local side, so they work
 * the same on every engine. The start of the sequence at the end of a chunk is held back until the
 * next key says whether the sequence goes on.
 */
import { UserError } from '../errors.js';

export interface DetachSequence {
  bytes: Buffer;
  /** as messages say it: "ctrl-p ctrl-q" */
  name: string;
}

export const DEFAULT_DETACH_KEYS: DetachSequence = { bytes: Buffer.from([0x10, 0x11]), name: 'ctrl-p ctrl-q' };

// ctrl-<key> for the keys that are not letters, as a terminal sends them (Docker accepts the same set)
const CTRL_SYMBOLS: Record<string, number> = { '@': 0, '[': 27, '\\': 28, ']': 29, '^': 30, _: 31 };

/** `--detach-keys`: keys separated by commas, each one character or ctrl-<a-z, @, [, \, ], ^, _>. */
export function parseDetachKeys(text: string): DetachSequence {
  const keys = text.split(',');
  const bytes = keys.map((key) => {
    const ctrl = /^ctrl-(.)$/i.exec(key);
    if (ctrl) {
      const c = ctrl[1]!.toLowerCase();
      if (c >= 'a' && c <= 'z') return c.charCodeAt(0) - 0x60;
      if (c in CTRL_SYMBOLS) return CTRL_SYMBOLS[c]!;
    } else if (key.length === 1 && key.charCodeAt(0) < 0x80) {
      return key.charCodeAt(0);
    }
    throw new UserError(`bad --detach-keys "${text}": "${key}" is not a key`, {
      hint: 'give keys separated by commas, each a character or ctrl-<letter, @, [, \\, ], ^ or _>, e.g. ctrl-p,ctrl-q',
      kind: 'invalid',
    });
  });
  return { bytes: Buffer.from(bytes), name: keys.join(' ') };
}

export class DetachKeys {
  private held = Buffer.alloc(0);

  constructor(private readonly sequence: Buffer = DEFAULT_DETACH_KEYS.bytes) {}

  /** What to send of a chunk the user typed, and whether the sequence was typed (what came before it is sent). */
  feed(chunk: Buffer): { send: Buffer; detach: boolean } {
    const data = this.held.length ? Buffer.concat([this.held, chunk]) : chunk;
    this.held = Buffer.alloc(0);
    const at = data.indexOf(this.sequence);
    if (at !== -1) return { send: data.subarray(0, at), detach: true };
    // the longest end of the chunk that starts the sequence waits for the next key
    for (let n = Math.min(this.sequence.length - 1, data.length); n > 0; n--) {
      if (data.subarray(data.length - n).equals(this.sequence.subarray(0, n))) {
        this.held = Buffer.from(data.subarray(data.length - n));
        return { send: data.subarray(0, data.length - n), detach: false };
      }
    }
    return { send: data, detach: false };
  }
}
