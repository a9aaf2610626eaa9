/**
 * Completion scripts for bash, zsh and fish, written from the command table (src/cli-spec.ts), so a
 * new command or option completes without touching this file. Target addresses come from
 * `sidekick completion --targets` (src/commands/completion.ts), which answers within a short time.
 */
import { COMMANDS, GLOBAL_OPTIONS, type CommandSpec, type OptionSpec } from '../cli-spec.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

const words = (list: readonly string[]) => list.join(' ');
const takesTarget = (c: CommandSpec) => c.positionals[0]?.name === 'target';
const optionWords = (c: CommandSpec) =>
  Object.entries({ ...GLOBAL_OPTIONS, ...c.options }).flatMap(([name, o]) => [`--${name}`, ...(o.alias ? [`-${o.alias}`] : [])]);
const valueOptions = (c: CommandSpec) =>
  Object.entries({ ...GLOBAL_OPTIONS, ...c.options })
    .filter(([, o]) => o.type === 'string')
    .flatMap(([name, o]) => [`--${name}`, ...(o.alias ? [`-${o.alias}`] : [])]);
/** Every option that takes one of a few values, once per name (--pull, --profile, --format, --via). */
function choiceOptions(): Array<[string, readonly string[]]> {
  const seen = new Map<string, readonly string[]>();
  for (const c of COMMANDS) for (const [name, o] of Object.entries(c.options) as Array<[string, OptionSpec]>) if (o.choices) seen.set(name, o.choices);
  return [...seen];
}
const positionalChoices = (c: CommandSpec) => c.positionals[0]?.choices;
/** Options that say which cluster the line means: passed on to `completion --targets`. */
const KUBE_FLAGS = ['-n', '--namespace', '--context', '--kubeconfig'];
/** A single-quoted shell word (descriptions carry quotes and parentheses). */
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function completionScript(shell: Shell): string {
  return shell === 'bash' ? bash() : shell === 'zsh' ? zsh() : fish();
}

function bash(): string {
  const perCommand = COMMANDS.map((c) => {
    const first = takesTarget(c) ? 'targets' : positionalChoices(c) ? `words:${words(positionalChoices(c)!)}` : 'none';
    return `    ${c.name}) options=${quote(words(optionWords(c)))}; values=${quote(words(valueOptions(c)))}; first=${quote(first)} ;;`;
  });
  const choices = choiceOptions().map(([name, list]) => `    --${name}) COMPREPLY=($(compgen -W ${quote(words(list))} -- "$cur")); return ;;`);
  return `# sidekick completion for bash. Load it with: source <(sidekick completion bash)
# or save it as ~/.local/share/bash-completion/completions/sidekick
_sidekick() {
  # Words are split at blanks only: bash's own COMP_WORDS also splits at ':' (docker://NAME).
  local line="\${COMP_LINE:0:COMP_POINT}" words=() i word command="" options="" values="" first="none" positionals=0 kube=()
  read -ra words <<<"$line"
  if [[ \${#words[@]} -eq 0 || "$line" =~ [[:space:]]$ ]]; then words+=(""); fi
  local n=\${#words[@]}
  local cur="\${words[n-1]}" prev="\${words[n-2]:-}"
  COMPREPLY=()
  for ((i = 1; i < n - 1; i++)); do
    word="\${words[i]}"
    if [[ -z "$command" ]]; then
      [[ "$word" == -* ]] || { command="$word"; _sidekick_command_words "$command"; }
      continue
    fi
    [[ "$word" == -- ]] && return 0
    # the cluster the line names is the one whose targets complete
    case "$word" in
      ${KUBE_FLAGS.join('|')}) kube+=("$word" "\${words[i+1]}") ;;
      ${KUBE_FLAGS.filter((f) => f.startsWith('--')).map((f) => `${f}=*`).join('|')}) kube+=("$word") ;;
    esac
    if [[ "$word" == -* ]]; then
      [[ "$word" != *=* && " $values " == *" $word "* ]] && i=$((i + 1))
    else
      positionals=$((positionals + 1))
    fi
  done
  if [[ -z "$command" ]]; then
    if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W '--help --version --debug' -- "$cur"))
    else COMPREPLY=($(compgen -W ${quote(words(COMMANDS.map((c) => c.name)))} -- "$cur")); fi
    return 0
  fi
  case "$prev" in
${choices.join('\n')}
    --kubeconfig) COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac
  if [[ "$prev" == -* && "$prev" != *=* && " $values " == *" $prev "* ]]; then return 0; fi
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$options --help" -- "$cur"))
  elif [[ $positionals -eq 0 && "$first" == targets ]]; then
    # addresses of running containers, as "sidekick targets" lists them; the CLI gives up after ~2 s
    COMPREPLY=($(compgen -W "$("\${words[0]}" completion --targets "\${kube[@]}" 2>/dev/null)" -- "$cur"))
  elif [[ $positionals -eq 0 && "$first" == words:* ]]; then
    COMPREPLY=($(compgen -W "\${first#words:}" -- "$cur"))
  fi
  # bash replaces only the part after the last ':' when ':' breaks words
  if [[ "$cur" == *:* && "$COMP_WORDBREAKS" == *:* ]]; then
    local colon="\${cur%"\${cur##*:}"}"
    for i in "\${!COMPREPLY[@]}"; do COMPREPLY[i]="\${COMPREPLY[i]#"$colon"}"; done
  fi
  return 0
}
_sidekick_command_words() {
  case "$1" in
${perCommand.join('\n')}
    *) options=""; values=""; first="none" ;;
  esac
}
complete -F _sidekick sidekick
`;
}

function zsh(): string {
  const perCommand = COMMANDS.map((c) => {
    const first = takesTarget(c)
      ? 'compadd -- ${(f)"$(${words[1]} completion --targets "${(@)kube}" 2>/dev/null)"}'
      : positionalChoices(c)
        ? `compadd -- ${words(positionalChoices(c)!)}`
        : ':';
    return `    ${c.name}) [[ $PREFIX == -* ]] && compadd -- ${words(optionWords(c))} --help || ${first} ;;`;
  });
  const choices = choiceOptions().map(([name, list]) => `    --${name}) compadd -- ${words(list)}; return ;;`);
  return `#compdef sidekick
# sidekick completion for zsh. Load it with: source <(sidekick completion zsh)
# or save it as _sidekick in a directory of your $fpath
_sidekick() {
  if (( CURRENT == 2 )); then
    compadd -- ${words(COMMANDS.map((c) => c.name))} --help --version --debug
    return
  fi
  local i kube=()
  for (( i = 3; i < CURRENT; i++ )); do
    case $words[i] in
      ${KUBE_FLAGS.join('|')}) kube+=($words[i] $words[i+1]) ;;
      ${KUBE_FLAGS.filter((f) => f.startsWith('--')).map((f) => `${f}=*`).join('|')}) kube+=($words[i]) ;;
    esac
  done
  case $words[CURRENT-1] in
${choices.join('\n')}
    --kubeconfig) _files; return ;;
  esac
  case $words[2] in
${perCommand.join('\n')}
  esac
}
if (( $+functions[compdef] )); then compdef _sidekick sidekick; fi
`;
}

function fish(): string {
  const lines = [
    '# sidekick completion for fish. Load it with: sidekick completion fish | source',
    '# or save it as ~/.config/fish/completions/sidekick.fish',
    'complete -c sidekick -f',
    '# targets of the cluster the line names (-n, --context, --kubeconfig)',
    'function __sidekick_targets',
    '  set -l tokens (commandline -opc)',
    '  set -l kube',
    '  for i in (seq 2 (count $tokens))',
    '    switch $tokens[$i]',
    `      case ${KUBE_FLAGS.join(' ')}`,
    '        set -a kube $tokens[$i] $tokens[(math $i + 1)]',
    `      case ${KUBE_FLAGS.filter((f) => f.startsWith('--')).map((f) => `'${f}=*'`).join(' ')}`,
    '        set -a kube $tokens[$i]',
    '    end',
    '  end',
    '  $tokens[1] completion --targets $kube 2>/dev/null',
    'end',
    `complete -c sidekick -n __fish_use_subcommand -l help -d 'show help'`,
    `complete -c sidekick -n __fish_use_subcommand -l version -d 'show the version'`,
    `complete -c sidekick -l debug -d ${quote(GLOBAL_OPTIONS.debug!.description)}`,
  ];
  for (const c of COMMANDS) {
    lines.push(`complete -c sidekick -n __fish_use_subcommand -a ${c.name} -d ${quote(c.description)}`);
    const when = `-n '__fish_seen_subcommand_from ${c.name}'`;
    for (const [name, o] of Object.entries(c.options)) {
      const value = o.choices ? ` -xa ${quote(words(o.choices))}` : o.type === 'string' ? (name === 'kubeconfig' ? ' -rF' : ' -r') : '';
      lines.push(`complete -c sidekick ${when} -l ${name}${o.alias ? ` -s ${o.alias}` : ''}${value} -d ${quote(o.description)}`);
    }
    if (takesTarget(c)) lines.push(`complete -c sidekick ${when} -a '(__sidekick_targets)'`);
    else if (positionalChoices(c)) lines.push(`complete -c sidekick ${when} -a ${quote(words(positionalChoices(c)!))}`);
  }
  return `${lines.join('\n')}\n`;
}
