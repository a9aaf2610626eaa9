/**
 * Under a plugin, a bare target names the host tool's own kind of thing: `kubectl sidekick exec api`
 * means the pod api, `docker sidekick exec api` the Docker container api. This rewrites the command
 * line so: the first positional word of a command that takes a target gets the plugin's prefix when
 * it has no engine of its own. Options, their values and everything after `--` stay as they are.
 */
import { COMMANDS, GLOBAL_OPTIONS } from '../cli-spec.js';

export function withDefaultEngine(args: string[], prefix: 'pod/' | 'docker://'): string[] {
  const spec = COMMANDS.find((c) => c.name === args[0]);
  if (!spec || spec.positionals[0]?.name !== 'target') return args;
  const options = { ...GLOBAL_OPTIONS, ...spec.options };
  const takesValue = (word: string): boolean => {
    if (word.includes('=')) return false;
    const name = word.startsWith('--') ? word.slice(2) : Object.keys(options).find((n) => `-${options[n]!.alias}` === word);
    return name !== undefined && options[name]?.type === 'string';
  };
  for (let i = 1; i < args.length; i++) {
    const word = args[i]!;
    if (word === '--') break;
    if (word.startsWith('-') && word !== '-') {
      if (takesValue(word)) i++;
      continue;
    }
    if (/^[a-z0-9]+:\/\//.test(word) || /^pods?\//.test(word)) return args;
    return [...args.slice(0, i), `${prefix}${word}`, ...args.slice(i + 1)];
  }
  return args;
}
