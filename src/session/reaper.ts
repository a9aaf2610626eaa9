/**
 * The reaper: a tiny detached process that removes a debugger if the CLI dies without doing it
 * (SIGKILL, a crash). It holds the read end of a pipe from the CLI: when the pipe closes without the
 * word "done", the CLI is gone, and the reaper runs the cleanup recipe. No dependencies: it must
 * start fast and work whatever happened to the CLI.
 *   node reaper.js '<CleanupRecipe as JSON>'
 */
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import type { CleanupRecipe } from '../runtimes/runtime.js';

/** Runs a recipe; resolves when it is done (or failed: nobody is left to tell). */
function runRecipe(recipe: CleanupRecipe): Promise<void> {
  return new Promise((done) => {
    if (recipe.kind === 'sequence') {
      void recipe.steps.reduce((previous, step) => previous.then(() => runRecipe(step)), Promise.resolve()).then(done);
    } else if (recipe.kind === 'http') {
      const req = request({
        socketPath: recipe.socketPath,
        host: recipe.host,
        port: recipe.port,
        method: recipe.method,
        path: recipe.path,
        timeout: 30_000,
      });
      req.on('response', (res) => {
        res.resume();
        res.on('end', done);
      });
      req.on('error', () => done());
      req.end();
    } else {
      execFile(recipe.file, recipe.args, { timeout: 30_000 }, () => done());
    }
  });
}

const recipe = JSON.parse(process.argv[2] ?? '{}') as CleanupRecipe;
let said = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  said += chunk;
});
process.stdin.on('close', () => {
  if (!said.includes('done')) void runRecipe(recipe);
});
process.stdin.on('error', () => undefined);
