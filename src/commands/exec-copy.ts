/** exec's --copy, --copy-to and --keep (a copy of a Kubernetes pod), checked before any engine is asked. */
import { UserError } from '../errors.js';
import type { TargetAddress } from '../runtimes/address.js';
import type { FindOptions } from '../runtimes/runtime.js';

export interface CopyFlags {
  copy?: boolean;
  copyTo?: string;
  keep?: boolean;
}

/** What to ask the engine for; undefined without --copy. */
export function copyRequest(flags: CopyFlags, target: string, address: TargetAddress | undefined, owner: string): FindOptions['copyPod'] {
  if (!flags.copy && flags.copyTo === undefined) {
    if (flags.keep) throw new UserError('--keep keeps the copy that --copy makes', { hint: 'add --copy', kind: 'invalid' });
    return undefined;
  }
  if (address?.engine !== 'kubernetes') {
    throw new UserError(`--copy copies a Kubernetes pod, and ${target} is not one`, {
      hint: 'give k8s://NAMESPACE/POD[/CONTAINER] or pod/NAME (a stopped container of another engine is debugged in a copy without --copy)',
      kind: 'invalid',
    });
  }
  return { name: flags.copyTo, keep: flags.keep ?? false, owner };
}
