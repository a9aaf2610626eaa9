/** `sidekick plugins install|uninstall`: the Docker CLI plugin (kubectl's is the package's kubectl-sidekick bin). */
import { UserError } from '../errors.js';
import { installDockerPlugin, pluginDirectory, uninstallDockerPlugin } from '../plugins/docker-plugin.js';

export async function pluginsCommand(args: { action: string; quiet: boolean }): Promise<number> {
  const say = (line: string) => (args.quiet ? undefined : process.stdout.write(`${line}\n`));
  if (args.action === 'install') {
    const file = await installDockerPlugin();
    say(`installed the Docker CLI plugin ${file}: try "docker sidekick exec NAME"`);
    return 0;
  }
  if (args.action === 'uninstall') {
    const dir = pluginDirectory();
    say((await uninstallDockerPlugin(dir)) ? `removed the Docker CLI plugin from ${dir}` : `no sidekick plugin in ${dir}: nothing to remove`);
    return 0;
  }
  throw new UserError(`unknown action "${args.action}"`, { hint: 'use "sidekick plugins install" or "sidekick plugins uninstall"' });
}
