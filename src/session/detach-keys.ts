/**
 * The keys that leave an attached session running and give the terminal back: ctrl-p ctrl-q, as
 * `docker attach` reads them. Watched on the local side, so they work the same on every engine. A
 * ctrl-p is held back until the next key says whether it starts the sequence.
 */
const CTRL_P = 0x10;
const SEQUENCE = Buffer.from([CTRL_P, 0x11]);

export const DETACH_KEYS_NAME = 'ctrl-p ctrl-q';

export class DetachKeys {
  private held = false;

  /** What to send on of a chunk the user typed, and whether the sequence was typed (what came before it is sent). */
  feed(chunk: Buffer): { send: Buffer; detach: boolean } {
    let data = this.held ? Buffer.concat([Buffer.from([CTRL_P]), chunk]) : chunk;
    this.held = false;
    const at = data.indexOf(SEQUENCE);
    if (at !== -1) return { send: data.subarray(0, at), detach: true };
    if (data.length > 0 && data[data.length - 1] === CTRL_P) {
      this.held = true;
      data = data.subarray(0, data.length - 1);
    }
    return { send: data, detach: false };
  }
}
