/**
 * containerd and nerdctl are one runtime over the same containers, told apart by how they name
 * them: nerdctl by its `nerdctl/name` label, containerd by ID. Each container is shown under one
 * naming only: a labelled one as nerdctl://NAME, any other as containerd://NAMESPACE/ID.
 */
import { formatAddress } from '../address.js';
import { shortId } from './ctr-text.js';

/** The label nerdctl names its containers with. */
export const NERDCTL_NAME = 'nerdctl/name';

const quote = (value: string) => JSON.stringify(value);
/** A `ctr containers ls` filter on a label (and its value). */
export const labelFilter = (key: string, value?: string) => `labels.${quote(key)}${value === undefined ? '' : `==${quote(value)}`}`;

export interface Naming {
  engine: 'containerd' | 'nerdctl';
  /** whether a container is shown under this naming, from whether it carries nerdctl's name label */
  owns(hasNameLabel: boolean): boolean;
  /** the `ctr containers ls` filter that finds a container by name, when names are more than IDs */
  nameFilter(name: string): string | undefined;
  /** the address sidekick prints for a container, and its short name */
  show(namespace: string, id: string, labels: Record<string, string>): { address: string; name: string };
  /** the command that lists containers, for hints */
  listCommand(namespace: string): string;
  /** what else than more of the ID tells containers apart, for hints */
  orElse: string;
}

export const CONTAINERD: Naming = {
  engine: 'containerd',
  owns: (hasNameLabel) => !hasNameLabel,
  nameFilter: () => undefined,
  // a 64-hex ID is printed short, as Docker prints IDs; the prefix finds it again
  show: (namespace, id) => ({ address: formatAddress('containerd', shortId(id), namespace), name: shortId(id) }),
  listCommand: (namespace) => `ctr -n ${namespace} containers ls`,
  orElse: '',
};

export const NERDCTL: Naming = {
  engine: 'nerdctl',
  owns: (hasNameLabel) => hasNameLabel,
  nameFilter: (name) => labelFilter(NERDCTL_NAME, name),
  show: (namespace, id, labels) => {
    const name = labels[NERDCTL_NAME];
    return { address: formatAddress('nerdctl', name ?? id, namespace === 'default' ? undefined : namespace), name: name ?? shortId(id) };
  },
  listCommand: (namespace) => `nerdctl${namespace === 'default' ? '' : ` -n ${namespace}`} ps`,
  orElse: ', or the name',
};
