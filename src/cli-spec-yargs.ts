/** The full parser: yargs, built from the command table, for --help, usage errors and the rest. */
import { COMMANDS, GLOBAL_OPTIONS, type OptionSpec, type OptionValue, type ParsedCommand } from './cli-spec.js';

export async function fullParse(args: string[], version: string, onError: (message: string) => never): Promise<ParsedCommand> {
  const { default: yargs } = await import('yargs');
  let parser = yargs(args)
    .scriptName('sidekick')
    .usage('$0 <command> [options]\n\nDebug any running container, distroless and scratch included, with a toolkit in its namespaces.')
    .version(version)
    .alias('version', 'V');
  for (const [name, o] of Object.entries(GLOBAL_OPTIONS)) parser = parser.option(name, { ...toYargs(o), global: true });
  for (const c of COMMANDS) {
    const words = c.positionals.map((p) => (p.required ? `<${p.name}${p.variadic ? '..' : ''}>` : `[${p.name}${p.variadic ? '..' : ''}]`));
    parser = parser.command([c.name, ...words].join(' '), c.description, (y) => {
      for (const p of c.positionals) y.positional(p.name, { type: 'string', description: p.description, ...(p.variadic ? { array: true } : {}), ...(p.choices ? { choices: [...p.choices] } : {}) });
      for (const [name, o] of Object.entries(c.options)) y.option(name, toYargs(o));
      for (const [cmd, what] of c.examples ?? []) y.example(cmd, what);
      return y;
    });
  }
  parser = parser
    .demandCommand(1, 'name a command (see sidekick --help)')
    .strict()
    .help()
    .alias('help', 'h')
    .wrap(Math.min(100, process.stdout.columns || 100))
    .fail((message, error) => {
      if (error) throw error;
      onError(message);
    });
  // yargs renders and caches the whole help text whenever a command runs (~40 ms); help is only
  // printed on request, so that cache is never needed.
  (parser as unknown as { getInternalMethods(): { getUsageInstance(): { cacheHelpMessage(): void } } })
    .getInternalMethods()
    .getUsageInstance().cacheHelpMessage = () => undefined;
  const a = (await parser.parseAsync()) as Record<string, unknown> & { _: Array<string | number> };
  const spec = COMMANDS.find((c) => c.name === a._[0])!;
  const positionals: ParsedCommand['positionals'] = {};
  for (const p of spec.positionals) {
    const v = a[p.name];
    positionals[p.name] = v === undefined ? undefined : Array.isArray(v) ? v.map(String) : String(v);
  }
  const options: Record<string, OptionValue> = {};
  for (const [name, o] of Object.entries({ ...GLOBAL_OPTIONS, ...spec.options })) {
    const v = a[name];
    options[name] = o.repeatable && v !== undefined ? (Array.isArray(v) ? v : [v]).map(String) : (v as OptionValue);
  }
  return { command: spec.name, positionals, options };
}

function toYargs(o: OptionSpec) {
  return {
    type: o.type,
    description: o.description,
    ...(o.alias ? { alias: o.alias } : {}),
    ...(o.default !== undefined ? { default: o.default } : {}),
    ...(o.choices ? { choices: [...o.choices] } : {}),
    ...(o.type === 'string' ? { requiresArg: true } : {}),
  };
}
