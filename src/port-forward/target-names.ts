/**
 * Name resolution as the target sees it, for connections made from its network namespace by a process
 * that keeps this machine's filesystem (src/port-forward/netns-helper.ts): the target's /etc/hosts first,
 * then the nameservers and search domains of its /etc/resolv.conf. Pure: file texts in, names out.
 */

export interface ResolvConf {
  nameservers: string[];
  search: string[];
  ndots: number;
}

/** Addresses /etc/hosts gives a name (case-insensitive), in file order. */
export function hostsLookup(hostsText: string, name: string): string[] {
  const wanted = name.toLowerCase().replace(/\.$/, '');
  const found: string[] = [];
  for (const line of hostsText.split('\n')) {
    const [address, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (address && names.some((n) => n.toLowerCase() === wanted)) found.push(address);
  }
  return found;
}

export function parseResolvConf(text: string): ResolvConf {
  const conf: ResolvConf = { nameservers: [], search: [], ndots: 1 };
  for (const line of text.split('\n')) {
    const [key, ...values] = line.replace(/[#;].*/, '').trim().split(/\s+/);
    if (key === 'nameserver' && values[0]) conf.nameservers.push(values[0]);
    else if (key === 'search' || key === 'domain') conf.search = values.filter(Boolean);
    else if (key === 'options') {
      for (const option of values) {
        const ndots = /^ndots:(\d+)$/.exec(option);
        if (ndots) conf.ndots = Math.min(Number(ndots[1]), 15);
      }
    }
  }
  // The resolver's own default when the file names none.
  if (conf.nameservers.length === 0) conf.nameservers.push('127.0.0.1');
  return conf;
}

/** The names to query, in the resolver's order: the name as given first when it has ndots dots. */
export function queryNames(name: string, conf: ResolvConf): string[] {
  if (name.endsWith('.')) return [name.slice(0, -1)];
  const searched = conf.search.map((domain) => `${name}.${domain}`);
  const dots = name.split('.').length - 1;
  return dots >= conf.ndots ? [name, ...searched] : [...searched, name];
}
