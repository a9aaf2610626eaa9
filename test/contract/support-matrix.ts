/**
 * The README's support matrix, rendered from what the engines declare (test/helpers/capabilities.ts)
 * and what the scenarios need (scenarios.ts, and each test file's `itIf(engine, ...)`). `npm run matrix`
 * writes it between the README's markers; test/unit/support-matrix.test.ts fails when they differ.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CAPABILITIES, COLUMNS, COLUMN_TITLES, lacking, type Capability, type Column } from '../helpers/capabilities.js';
import { SCENARIOS, type Scenario } from './scenarios.js';

export const BEGIN = '<!-- support-matrix:begin (npm run matrix writes this table; test/unit/support-matrix.test.ts checks it) -->';
export const END = '<!-- support-matrix:end -->';

/** The capabilities each `itIf(engine, ...)` test of a file needs. */
function perTestNeeds(root: string, files: string[]): Capability[][] {
  return files.flatMap((file) =>
    [...readFileSync(join(root, file), 'utf8').matchAll(/itIf\(engine((?:,\s*'\w+')+)\)/g)].map((m) => [...m[1]!.matchAll(/'(\w+)'/g)].map((n) => n[1] as Capability)),
  );
}

const escape = (text: string) => text.replace(/\|/g, '\\|');

function cell(scenario: Scenario, column: Column, tests: Capability[][]): string {
  const why = lacking(column, scenario.needs);
  if (why !== undefined) return scenario.elsewhere?.[column] ?? (why === '' || why === '-' ? why : `no (${why})`);
  let words = scenario.says?.[column] ?? scenario.yes ?? 'yes';
  for (const [capability, more] of Object.entries(scenario.adds ?? {})) {
    if (CAPABILITIES[column][capability as Capability] === true) words += ` ${more}`;
  }
  // what the scenario's tests would need and this engine lacks, once per reason (not what is no thing there: '-')
  const notHere = new Set(tests.map((needs) => lacking(column, needs)).filter((reason) => reason !== undefined && reason !== '-' && reason !== ''));
  for (const reason of notHere) words += `; n/a: ${reason}`;
  return words;
}

/** The Markdown table, one row per scenario, one column per engine. */
export function renderMatrix(root: string): string {
  const lines = [
    `| scenario | ${COLUMNS.map((c) => COLUMN_TITLES[c]).join(' | ')} |`,
    `|---|${COLUMNS.map(() => '---').join('|')}|`,
  ];
  for (const scenario of Object.values(SCENARIOS) as Scenario[]) {
    const tests = perTestNeeds(root, scenario.files);
    lines.push(`| ${escape(scenario.title)} | ${COLUMNS.map((c) => escape(cell(scenario, c, tests))).join(' | ')} |`);
  }
  return lines.join('\n');
}

/** The README with its matrix block replaced by `table`; throws when the markers are missing. */
export function withMatrix(readme: string, table: string): string {
  const begin = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`README.md has no ${BEGIN} ... ${END} block`);
  return `${readme.slice(0, begin + BEGIN.length)}\n${table}\n${readme.slice(end)}`;
}
