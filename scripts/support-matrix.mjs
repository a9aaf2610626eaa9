// `npm run matrix`: writes the README's support matrix from the engines' declarations and the
// scenarios (test/contract/support-matrix.ts); `--check` only says whether the README is current.
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bundled = await build({ entryPoints: [`${root}test/contract/support-matrix.ts`], bundle: true, write: false, format: 'esm', platform: 'node', target: 'node20' });
const { renderMatrix, withMatrix } = await import(`data:text/javascript;base64,${Buffer.from(bundled.outputFiles[0].text).toString('base64')}`);

const file = `${root}README.md`;
const readme = readFileSync(file, 'utf8');
const current = withMatrix(readme, renderMatrix(root));
if (process.argv.includes('--check')) {
  if (current !== readme) {
    console.error('README.md: the support matrix is out of date: run "npm run matrix"');
    process.exit(1);
  }
} else if (current !== readme) {
  writeFileSync(file, current);
  console.log('README.md: support matrix written');
} else {
  console.log('README.md: support matrix up to date');
}
