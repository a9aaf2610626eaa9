/**
 * A containerd cleanup (a shell script for the reaper) run in passes: at once, and again after 2 and
 * 8 seconds. The CLI may die while its `ctr run` is still creating the debugger: that ctr goes on
 * without it, and makes the container after the first pass has found nothing; it then dies of a
 * write to the CLI's closed pipe, leaving the container and its stopped task. A later pass removes
 * them; a pass that finds nothing costs nothing.
 */
export function inPasses(script: string): string {
  return `for pause in 0 2 8; do\nsleep "$pause"\n${script}\ndone`;
}
