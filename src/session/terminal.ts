/** The local terminal: raw mode for the session, its size, and resize notifications. */
export interface TerminalSize {
  rows: number;
  columns: number;
}

export function terminalSize(): TerminalSize | undefined {
  const out = process.stdout.isTTY ? process.stdout : process.stderr.isTTY ? process.stderr : undefined;
  if (!out || !out.rows || !out.columns) return undefined;
  return { rows: out.rows, columns: out.columns };
}

/** Puts stdin in raw mode (keys, ^C included, go to the remote side); returns the undo. */
export function enterRawMode(): () => void {
  const stdin = process.stdin;
  if (!stdin.isTTY) return () => undefined;
  const was = stdin.isRaw;
  stdin.setRawMode(true);
  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    try {
      stdin.setRawMode(was);
    } catch {
      // the terminal is gone (e.g. SIGHUP): nothing to restore
    }
  };
}

/** Calls back with the new size on every local resize; returns the unsubscribe. */
export function onResize(callback: (size: TerminalSize) => void): () => void {
  const listener = () => {
    const size = terminalSize();
    if (size) callback(size);
  };
  process.stdout.on('resize', listener);
  return () => process.stdout.off('resize', listener);
}
