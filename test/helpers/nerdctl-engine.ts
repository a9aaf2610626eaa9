/**
 * nerdctl for the contract suite: targets that real `nerdctl run` made, either on nerdctl's default
 * bridge network or with `--net none`. nerdctl v1.7.7 is built from its source archive beside the
 * clone by scripts/engines/containerd.sh (through scripts/third-party.sh); what sidekick left behind
 * is listed through containerd, as for the containerd column.
 *
 * A clone without that archive (no ../shared), on a machine that never built it, has no nerdctl binary: nerdctlColumns() then falls back
 * to containers made with ctr that carry nerdctl's labels, and says so.
 */
import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ContainerdEngine, LOCALHOST, WORK, nerdctlEngine } from './containerd-engine.js';
import type { StartedTarget, TargetOptions, TestEngine } from './engines.js';
import { FIXTURE_IMAGES, FIXTURE_READY, TARGET_IMAGE } from './engines.js';

const ARCHIVE = 'nerdctl-1.7.7.tar.gz';
// where scripts/engines/containerd.sh builds it (scripts/third-party.sh), under the cache's bin/
const BUILT = 'nerdctl-v1.7.7/nerdctl';
const NAME_PREFIX = 'skn-test-';
const THIRD_PARTY = fileURLToPath(new URL('../../scripts/third-party.sh', import.meta.url));

export class NerdctlRunEngine extends ContainerdEngine {
  /** the network a target joins unless the scenario names one: nerdctl's default bridge, or none */
  constructor(readonly defaultNetwork: 'bridge' | 'none') {
    super('nerdctl');
  }

  // Only the debuggers of targets this engine named: other tests share this containerd (the
  // containerd column, other checkouts' runs), and their debuggers come and go meanwhile.
  protected override debuggerFilter = `labels."io.sidekick.target-name"~="^nerdctl://${NAME_PREFIX}"`;

  private async nerdctl(args: string[]): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      const r = await execa('nerdctl', args, { reject: false, stdin: 'ignore' });
      if (r.exitCode === 0) return r.stdout;
      // nerdctl checks a new name against every container in the namespace, and fails when one of
      // them (another test's, on this shared containerd) is removed between its list and inspect.
      const raced = /container \\?"[^"\\]+\\?" in namespace \\?"[^"\\]+\\?": not found/.test(r.stderr);
      if (!raced || attempt === 3) throw new Error(`nerdctl ${args.join(' ')}: ${r.stderr}`);
    }
  }

  override async ready(): Promise<void> {
    await super.ready();
    try {
      await this.nerdctl(['version']);
    } catch (e) {
      throw new Error(`nerdctl does not run here, though its source is: run "bash scripts/engines/containerd.sh" (it builds nerdctl). ${String(e)}`);
    }
  }

  private named(name: string, id: string): StartedTarget {
    return { id, name, address: `nerdctl://${name}` };
  }

  /** A hosts file that names localhost only, shared by the --net none targets. */
  private localhostHosts(): string {
    const file = join(WORK, 'nerdctl-none.hosts');
    writeFileSync(file, `${LOCALHOST.join('\n')}\n`);
    return file;
  }

  private uniqueName(): string {
    return `${NAME_PREFIX}${randomBytes(4).toString('hex')}`;
  }

  override async startTarget(opts: TargetOptions = {}): Promise<StartedTarget> {
    const name = this.uniqueName();
    const options = ['--name', name, '--label', 'io.sidekick.test=target', '--net', opts.network ?? this.defaultNetwork];
    // nerdctl 1.7 has no network aliases: its /etc/hosts names the members of a network by their
    // hostnames (and names), so one alias becomes the hostname.
    const [alias, ...more] = opts.networkAliases ?? [];
    if (more.length) throw new Error('nerdctl gives a target one name on a network (its hostname)');
    if (alias) options.push('--hostname', alias);
    if (opts.readOnly) options.push('--read-only');
    if (opts.user) options.push('--user', opts.user);
    if (opts.memoryBytes) options.push('--memory', String(opts.memoryBytes), '--memory-swap', String(opts.memoryBytes));
    for (const ip of opts.dns ?? []) options.push('--dns', ip);
    for (const e of opts.env ?? []) options.push('--env', e);
    // ipcShareable: a nerdctl container's IPC namespace is its own and joinable as it is.
    // nerdctl 1.7 gives a --net none container no /etc/hosts at all (Docker's and Podman's name
    // localhost there), so localhost resolves nowhere in it; the scenarios expect it to.
    if ((opts.network ?? this.defaultNetwork) === 'none') options.push('--volume', `${this.localhostHosts()}:/etc/hosts:ro`);
    const fixture = opts.fixture ?? 'target';
    const id = (await this.nerdctl(['run', '-d', ...options, FIXTURE_IMAGES[fixture], ...(opts.args ?? [])])).trim();
    if (opts.exits) await this.nerdctl(['wait', name]);
    // the fixture prints once it serves
    for (let i = 0; i < 100 && !opts.exits; i++) {
      const logs = await execa('nerdctl', ['logs', name], { reject: false, stdin: 'ignore' });
      if (`${logs.stdout}${logs.stderr}`.includes(FIXTURE_READY[fixture])) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.named(name, id);
  }

  override async createStopped(): Promise<StartedTarget> {
    const name = this.uniqueName();
    const id = (await this.nerdctl(['create', '--name', name, '--label', 'io.sidekick.test=target', '--net', this.defaultNetwork, TARGET_IMAGE])).trim();
    return this.named(name, id);
  }

  override async kill(target: StartedTarget): Promise<void> {
    await this.nerdctl(['kill', target.name]).catch(() => undefined);
  }

  override async startAgain(target: StartedTarget): Promise<void> {
    await this.nerdctl(['start', target.name]);
  }

  override async remove(target: StartedTarget): Promise<void> {
    await this.nerdctl(['rm', '-f', target.name]).catch(() => undefined);
  }

  override async createNetwork(): Promise<string> {
    const name = `skn-test-net-${randomBytes(4).toString('hex')}`;
    await this.nerdctl(['network', 'create', '--label', 'io.sidekick.test=network', name]);
    return name;
  }

  override async removeNetwork(name: string): Promise<void> {
    await this.nerdctl(['network', 'rm', name]).catch(() => undefined);
  }
}

/**
 * The nerdctl columns: real nerdctl on its bridge and with --net none where its source archive is
 * beside the clone or its binary was built from it, else today's labelled ctr containers (said on the console, not skipped).
 */
export function nerdctlColumns(): TestEngine[] {
  try {
    execFileSync('bash', [THIRD_PARTY, '--where', ARCHIVE, BUILT], { stdio: 'ignore' });
  } catch {
    console.log(`nerdctl: no ${ARCHIVE} beside the clone (../shared/third_party or SIDEKICK_THIRD_PARTY) and none built from it, so no real nerdctl: its column runs on containers made with ctr that carry nerdctl's labels`);
    return [nerdctlEngine];
  }
  return [new NerdctlRunEngine('bridge'), new NerdctlRunEngine('none')];
}
