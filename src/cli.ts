/**
 * The entry: parses argv, runs one command, prints any failure once as a single line.
 * Commands and their engine clients are imported only when they run, so `--help` stays fast.
 */
import { EXIT, UserError, isUserError } from './errors.js';
import { debugEnabled, enableDebug } from './log.js';
import { VERSION } from './version.js';

const argv = process.argv.slice(2);

// Fast path: the version needs no parser.
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${VERSION}\n`);
  process.exit(0);
}
if (argv.includes('--debug')) enableDebug();

// Everything after the first `--` is the user's command, never parsed as options.
const dashDash = argv.indexOf('--');
const ownArgs = dashDash === -1 ? argv : argv.slice(0, dashDash);
const userCommand = dashDash === -1 ? undefined : argv.slice(dashDash + 1);

function fail(e: unknown): never {
  if (isUserError(e)) {
    process.stderr.write(`sidekick: ${e.line}\n`);
    if (debugEnabled()) process.stderr.write(`${e.stack}\n${e.cause ? `cause: ${(e.cause as Error).stack ?? String(e.cause)}\n` : ''}`);
    process.exit(e.exitCode);
  }
  const message = e instanceof Error ? e.message : String(e);
  process.stderr.write(`sidekick: unexpected error: ${message.split('\n')[0]} (run again with --debug for details)\n`);
  if (debugEnabled()) process.stderr.write(`${e instanceof Error ? e.stack : ''}\n`);
  process.exit(EXIT.FAILURE);
}

process.on('unhandledRejection', fail);

/** Repeatable options (-e A -e B) arrive as a string or an array. */
function list(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value : [value]).map(String);
}

async function main(): Promise<void> {
  const { default: yargs } = await import('yargs');
  const parser = yargs(ownArgs)
    .scriptName('sidekick')
    .usage('$0 <command> [options]\n\nDebug any running container, distroless and scratch included, with a toolkit in its namespaces.')
    .version(VERSION)
    .alias('version', 'V')
    .option('debug', { type: 'boolean', description: 'Explain what sidekick does; show stack traces on errors', global: true })
    .command(
      'exec <target> [command..]',
      "Start a shell (or run COMMAND) in the target's namespaces, with its filesystem as /",
      (y) =>
        y
          .positional('target', { type: 'string', description: 'NAME, docker://NAME_OR_ID (more engines to come)' })
          .positional('command', { type: 'string', array: true, description: 'command to run instead of a shell (put it after --)' })
          .option('image', { type: 'string', description: 'toolkit image (statically linked tools work best)', default: 'busybox:musl' })
          .option('pull', { choices: ['missing', 'always', 'never'] as const, default: 'missing' as const, description: 'when to pull the toolkit image' })
          .option('user', { alias: 'u', type: 'string', description: "run as this user of the target (uid[:gid] or a name in the target's /etc/passwd)" })
          .option('env', { alias: 'e', type: 'string', requiresArg: true, description: 'set NAME=VALUE (or pass NAME from your environment)' })
          .option('cap-add', { type: 'string', requiresArg: true, description: 'add a Linux capability to the debugger' })
          .option('privileged', { type: 'boolean', default: false, description: 'run the debugger privileged (never the default)' })
          .option('name', { type: 'string', description: 'name of the debugger container' })
          .option('interactive', { alias: 'i', type: 'boolean', description: 'keep stdin open (default: only for a shell)' })
          .option('tty', { alias: 't', type: 'boolean', description: 'allocate a terminal (default: for a shell on a terminal)' })
          .option('quiet', { alias: 'q', type: 'boolean', default: false, description: 'print nothing of sidekick’s own' })
          .example('$0 exec my-app', 'a shell with tools inside a distroless container')
          .example('$0 exec my-app -- ps', "one command; its exit code is sidekick's")
          .example('$0 exec -u 65532 docker://4f2a -- id', 'as a given user'),
    )
    .command(
      'diagnose <target>',
      'Report what runs in the target, what it listens on and reaches, its limits and OOM kills',
      (y) =>
        y
          .positional('target', { type: 'string', description: 'NAME or ENGINE://ADDRESS, as for exec' })
          .option('format', { choices: ['text', 'json', 'markdown'] as const, default: 'text' as const, description: 'report format' })
          .option('json', { type: 'boolean', default: false, description: 'same as --format json' })
          .option('check', { type: 'string', requiresArg: true, description: 'tcp://HOST:PORT, http(s)://URL, dns:NAME, process:NAME or port:PORT (repeatable)' })
          .option('timeout', { type: 'string', default: '60s', description: 'bound on the whole diagnosis (each probe gets at most 5s)' })
          .option('image', { type: 'string', default: 'busybox:musl', description: 'toolkit image' })
          .option('pull', { choices: ['missing', 'always', 'never'] as const, default: 'missing' as const, description: 'when to pull the toolkit image' })
          .option('quiet', { alias: 'q', type: 'boolean', default: false, description: 'no progress on stderr' })
          .example('$0 diagnose my-app --json > report.json', 'machine-readable (schema/diagnose-report.schema.json)')
          .example('$0 diagnose my-app --check tcp://db:5432 --check dns:db', 'exit 1 if a check fails'),
    )
    .command('targets', 'List running containers on every reachable engine', (y) =>
      y.option('json', { type: 'boolean', default: false, description: 'print JSON for scripts' }),
    )
    .command('sessions', 'List live sidekick debuggers on every reachable engine', (y) =>
      y.option('json', { type: 'boolean', default: false, description: 'print JSON for scripts' }),
    )
    .command('cleanup', 'Remove debuggers that outlived their session', (y) =>
      y
        .option('all', { type: 'boolean', default: false, description: 'remove every debugger, live sessions included' })
        .option('quiet', { alias: 'q', type: 'boolean', default: false, description: 'print nothing' }),
    )
    .demandCommand(1, 'name a command (see sidekick --help)')
    .strict()
    .help()
    .alias('help', 'h')
    .wrap(Math.min(100, process.stdout.columns || 100))
    .fail((message, error) => {
      if (error) fail(error);
      fail(new UserError(message, { hint: 'see "sidekick --help"' }));
    });
  // yargs renders and caches the whole help text whenever a command runs (~40 ms); help is only
  // printed on request here, so that cache is never needed.
  (parser as unknown as { getInternalMethods(): { getUsageInstance(): { cacheHelpMessage(): void } } })
    .getInternalMethods()
    .getUsageInstance().cacheHelpMessage = () => undefined;
  const a = await parser.parseAsync();
  switch (a._[0]) {
    case 'exec': {
      const { execCommand } = await import('./commands/exec.js');
      process.exitCode = await execCommand({
        target: String(a.target),
        command: userCommand ?? (a.command as string[] | undefined) ?? [],
        image: a.image as string,
        pull: a.pull as 'missing' | 'always' | 'never',
        user: a.user as string | undefined,
        env: list(a.env),
        capAdd: list(a['cap-add']),
        privileged: a.privileged as boolean,
        name: a.name as string | undefined,
        interactive: a.interactive as boolean | undefined,
        tty: a.tty as boolean | undefined,
        quiet: a.quiet as boolean,
      });
      return;
    }
    case 'diagnose': {
      const { diagnoseCommand } = await import('./commands/diagnose.js');
      process.exitCode = await diagnoseCommand({
        target: String(a.target),
        format: a.json ? 'json' : (a.format as 'text' | 'json' | 'markdown'),
        checks: list(a.check) ?? [],
        timeout: String(a.timeout),
        image: a.image as string,
        pull: a.pull as 'missing' | 'always' | 'never',
        quiet: Boolean(a.quiet),
      });
      return;
    }
    case 'targets': {
      const { targetsCommand } = await import('./commands/targets.js');
      process.exitCode = await targetsCommand({ json: Boolean(a.json) });
      return;
    }
    case 'sessions': {
      const { sessionsCommand } = await import('./commands/sessions.js');
      process.exitCode = await sessionsCommand({ json: Boolean(a.json) });
      return;
    }
    case 'cleanup': {
      const { cleanupCommand } = await import('./commands/sessions.js');
      process.exitCode = await cleanupCommand({ all: Boolean(a.all), quiet: Boolean(a.quiet) });
      return;
    }
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  fail,
);
