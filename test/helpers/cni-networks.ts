/**
 * User-defined networks for containerd test targets, the way nerdctl makes them: a Linux bridge per
 * network, set up by the CNI bridge plugin (Debian's containernetworking-plugins), one named network
 * namespace per member that its container joins (`ctr run --with-ns network:...`).
 *
 * `ctr run --cni` is not used: ctr 1.6 takes the first config in /etc/cni/net.d (which is the test
 * cluster's pod network while it runs, scripts/k8s/cluster.sh) and never releases what it allocated
 * for a detached task. Here the plugin is called directly with a config of our own, kept in memory:
 *   - bridge skcnet<8 hex>, no address on the host side (isGateway false, no masquerade), so the
 *     subnet is seen only by the members and every test network may use the same one;
 *   - addresses from host-local, its state under DATA_DIR/<network>, removed with the network;
 *   - names: the members' /etc/hosts, which the engine writes from hostsLines() (nerdctl does the
 *     same for its networks).
 * With br_netfilter on, bridged traffic crosses iptables' FORWARD chain, which Docker sets to DROP:
 * scripts/engines/containerd.sh lets traffic through between ports of one skcnet* bridge.
 */
import { execa } from 'execa';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

const PLUGIN_DIRS = ['/usr/lib/cni', '/opt/cni/bin'];
const SUBNET = '10.89.0.0/24';
export const FORWARD_RULE = ['FORWARD', '-i', 'skcnet+', '-o', 'skcnet+', '-m', 'comment', '--comment', 'sidekick-test-networks', '-j', 'ACCEPT'];

interface Member {
  network: string;
  netns: string;
  ip: string;
  aliases: string[];
}

export class CniNetworks {
  private readonly networks = new Map<string, { bridge: string }>();
  private readonly members = new Map<string, Member>();

  constructor(private readonly dataDir: string) {}

  private pluginDir(): string {
    const dir = PLUGIN_DIRS.find((d) => existsSync(join(d, 'bridge')) && existsSync(join(d, 'host-local')));
    if (!dir) throw new Error(`no CNI bridge plugin in ${PLUGIN_DIRS.join(' or ')}: run "bash scripts/engines/containerd.sh"`);
    return dir;
  }

  private config(network: string): string {
    const known = this.networks.get(network);
    if (!known) throw new Error(`no test network ${network}`);
    return JSON.stringify({
      cniVersion: '1.0.0',
      name: network,
      type: 'bridge',
      bridge: known.bridge,
      isGateway: false,
      ipMasq: false,
      ipam: { type: 'host-local', ranges: [[{ subnet: SUBNET }]], dataDir: this.dataDir },
    });
  }

  /** Runs the bridge plugin; its stdout is the CNI result (ADD) or nothing (DEL). */
  private async plugin(command: 'ADD' | 'DEL', id: string, member: Pick<Member, 'network' | 'netns'>): Promise<string> {
    const dir = this.pluginDir();
    const r = await execa(join(dir, 'bridge'), [], {
      input: this.config(member.network),
      env: { CNI_COMMAND: command, CNI_CONTAINERID: id, CNI_NETNS: `/run/netns/${member.netns}`, CNI_IFNAME: 'eth0', CNI_PATH: dir },
      reject: false,
    });
    if (r.exitCode !== 0) throw new Error(`CNI bridge ${command} for ${id} on ${member.network}: ${r.stdout || r.stderr}`);
    return r.stdout;
  }

  async create(): Promise<string> {
    const rule = await execa('iptables', ['-C', ...FORWARD_RULE], { reject: false });
    if (rule.exitCode !== 0) {
      throw new Error(`iptables has no rule for test networks (${FORWARD_RULE.join(' ')}): run "bash scripts/engines/containerd.sh"`);
    }
    const suffix = randomBytes(4).toString('hex');
    const name = `skc-test-net-${suffix}`;
    this.networks.set(name, { bridge: `skcnet${suffix}` });
    return name;
  }

  /**
   * Makes a network namespace on the network for container `id` and returns its path, for
   * `ctr run --with-ns network:PATH`. Its loopback is up, as in a namespace runc makes.
   */
  async join(network: string, id: string, aliases: string[] = []): Promise<string> {
    const netns = `skc-${id.slice(0, 12)}`;
    await execa('ip', ['netns', 'add', netns]);
    const member: Member = { network, netns, ip: '', aliases };
    this.members.set(id, member);
    try {
      await execa('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
      const result = JSON.parse(await this.plugin('ADD', id, member)) as { ips?: Array<{ address: string }> };
      const ip = result.ips?.[0]?.address.split('/')[0];
      if (!ip) throw new Error(`CNI bridge gave ${id} no address on ${network}`);
      member.ip = ip;
    } catch (e) {
      await this.leave(id);
      throw e;
    }
    return `/run/netns/${netns}`;
  }

  /** Releases the address and the namespace of a member; nothing for a container that joined none. */
  async leave(id: string): Promise<void> {
    const member = this.members.get(id);
    if (!member) return;
    this.members.delete(id);
    await this.plugin('DEL', id, member).catch(() => undefined);
    await execa('ip', ['netns', 'del', member.netns], { reject: false });
  }

  /** The network a container joined, if any. */
  networkOf(id: string): string | undefined {
    return this.members.get(id)?.network;
  }

  /** The members of a network, by container ID. */
  membersOf(network: string): string[] {
    return [...this.members].filter(([, m]) => m.network === network).map(([id]) => id);
  }

  /** /etc/hosts lines for the aliases on a network ("IP\tname..."), one per member that has any. */
  hostsLines(network: string): string[] {
    return [...this.members.values()].filter((m) => m.network === network && m.ip && m.aliases.length).map((m) => `${m.ip}\t${m.aliases.join(' ')}`);
  }

  /** Removes a network: what members are left leave it, then its bridge and address records go. */
  async remove(network: string): Promise<void> {
    const known = this.networks.get(network);
    if (!known) return;
    for (const id of this.membersOf(network)) await this.leave(id);
    this.networks.delete(network);
    await execa('ip', ['link', 'del', known.bridge], { reject: false });
    rmSync(join(this.dataDir, network), { recursive: true, force: true });
  }
}
