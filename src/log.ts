/** --debug output: on stderr, only when asked for. */
let enabled = false;

export function enableDebug(): void {
  enabled = true;
}

export function debugEnabled(): boolean {
  return enabled;
}

export function debugLog(message: string): void {
  if (enabled) process.stderr.write(`sidekick[debug +${Math.round(performance.now())}ms] ${message}\n`);
}
