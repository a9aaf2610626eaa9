/**
 * The entry: parses argv, runs one command, prints any failure once as a single line.
 * Commands and their engine clients are imported only when they run; argv is read by node's own
 * parser when it can, so nothing is loaded before the first engine call that the command does not need.
 */
import { quickParse, type OptionValue, type ParsedCommand } from './cli-spec.js';
import type { EngineName } from './runtimes/address.js';
import { EXIT, UserError, isUserError } from './errors.js';
import { parseDuration } from './duration.js';
import { debugEnabled, enableDebug } from './log.js';
import { VERSION } from './version.js';

const argv = process.argv.slice(2);

if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${VERSION}\n`);
  process.exit(0);
}

// Everything after the first `--` is the user's command, never parsed as options.
const dashDash = argv.indexOf('--');
const ownArgs = dashDash === -1 ? argv : argv.slice(0, dashDash);
const userCommand = dashDash === -1 ? undefined : argv.slice(dashDash + 1);
if (ownArgs.includes('--debug')) {
  enableDebug();
  process.setSourceMapsEnabled(true);
}

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

const str = (v: OptionValue | string[]) => (typeof v === 'string' ? v : undefined);
const bool = (v: OptionValue) => (typeof v === 'boolean' ? v : undefined);
const list = (v: OptionValue) => (Array.isArray(v) ? v : typeof v === 'string' ? [v] : undefined);
type Pull = 'missing' | 'always' | 'never';
const engineOptions = (o: ParsedCommand['options']) => ({
  kubeconfig: str(o.kubeconfig),
  context: str(o.context),
  namespace: str(o.namespace),
  profile: str(o.profile),
  selector: str(o.selector),
  startTimeoutMs: str(o['pod-running-timeout']) === undefined ? undefined : parseDuration(str(o['pod-running-timeout'])!, '--pod-running-timeout'),
});
/** a listing's options: --engine narrows it to one engine */
const listingOptions = (o: ParsedCommand['options']) => ({ ...engineOptions(o), listOn: str(o.engine) as EngineName | undefined });

async function run({ command, positionals: p, options: o }: ParsedCommand): Promise<number> {
  const target = str(p.target) ?? '';
  switch (command) {
    case 'exec': {
      const { execCommand } = await import('./commands/exec.js');
      return execCommand({
        target,
        command: userCommand ?? (p.command as string[] | undefined) ?? [],
        image: str(o.image),
        pull: str(o.pull) as Pull,
        user: str(o.user),
        env: list(o.env),
        capAdd: list(o['cap-add']),
        privileged: bool(o.privileged),
        name: str(o.name),
        interactive: bool(o.interactive),
        tty: bool(o.tty),
        detach: bool(o.detach),
        quiet: bool(o.quiet) ?? false,
        engineOptions: engineOptions(o),
        engine: str(o.engine) as 'docker' | 'podman' | 'containerd' | 'nerdctl' | undefined,
        copy: bool(o.copy),
        copyTo: str(o['copy-to']),
        keep: bool(o.keep),
      });
    }
    case 'attach': {
      const { attachCommand } = await import('./commands/attach.js');
      return attachCommand({ session: str(p.session) ?? '', quiet: bool(o.quiet) ?? false, detachKeys: str(o['detach-keys']), engineOptions: engineOptions(o) });
    }
    case 'diagnose': {
      const { diagnoseCommand } = await import('./commands/diagnose.js');
      return diagnoseCommand({
        target,
        format: o.json ? 'json' : (str(o.format) as 'text' | 'json' | 'markdown'),
        checks: list(o.check) ?? [],
        timeout: str(o.timeout) ?? '60s',
        image: str(o.image)!,
        pull: str(o.pull) as Pull,
        quiet: bool(o.quiet) ?? false,
        engineOptions: engineOptions(o),
      });
    }
    case 'port-forward': {
      const { portForwardCommand } = await import('./commands/port-forward.js');
      return portForwardCommand({
        target,
        specs: (p.specs as string[] | undefined) ?? [],
        json: bool(o.json) ?? false,
        via: (str(o.via) ?? 'auto') as 'auto' | 'exec' | 'nsenter',
        image: str(o.image)!,
        pull: str(o.pull) as Pull,
        name: str(o.name),
        followRestarts: bool(o['follow-restarts']) ?? false,
        quiet: bool(o.quiet) ?? false,
        engineOptions: engineOptions(o),
      });
    }
    case 'targets': {
      const { targetsCommand } = await import('./commands/targets.js');
      return targetsCommand({ json: bool(o.json) ?? false, engineOptions: listingOptions(o) });
    }
    case 'sessions': {
      const { sessionsCommand } = await import('./commands/sessions.js');
      return sessionsCommand({ json: bool(o.json) ?? false, engineOptions: listingOptions(o) });
    }
    case 'cleanup': {
      const { cleanupCommand } = await import('./commands/sessions.js');
      return cleanupCommand({ all: bool(o.all) ?? false, quiet: bool(o.quiet) ?? false, only: str(o.only), engineOptions: listingOptions(o) });
    }
    case 'completion': {
      const { completionCommand } = await import('./commands/completion.js');
      return completionCommand({ shell: str(p.shell), targets: bool(o.targets) ?? false, engineOptions: engineOptions(o) });
    }
    case 'plugins': {
      const { pluginsCommand } = await import('./commands/plugins.js');
      return pluginsCommand({ action: str(p.action) ?? '', quiet: bool(o.quiet) ?? false });
    }
  }
  return EXIT.FAILURE;
}

async function main(): Promise<void> {
  let parsed = quickParse(ownArgs);
  if (!parsed) {
    const { fullParse } = await import('./cli-spec-yargs.js');
    parsed = await fullParse(ownArgs, VERSION, (message) =>
      fail(new UserError(message.replace(/\s*\n\s*/g, ' ').trim(), { hint: 'see "sidekick --help"' })),
    );
  }
  process.exitCode = await run(parsed);
}

/** process.exit drops what a slow reader has not taken yet: wait until it has, or has gone away. */
function writtenOut(stream: NodeJS.WriteStream): Promise<void> {
  if (!stream.writableLength || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once('error', () => resolve());
    stream.write('', () => resolve());
  });
}

main().then(
  async () => {
    await Promise.all([writtenOut(process.stdout), writtenOut(process.stderr)]);
    process.exit(process.exitCode ?? 0);
  },
  fail,
);
