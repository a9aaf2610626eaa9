/** Where each local connection goes while debuggers come and go. */
import type { Socket } from 'node:net';
import type { RelayResult } from './relay.js';
import type { ForwardSpec } from './spec.js';

/** How connections reach the target: through the debugger (decided once it runs), or the engine's own port-forward. */
export interface Transport {
  via: 'exec' | 'nsenter' | 'portforward';
  /** relays one local connection to HOST:PORT inside the target; rejects when it cannot connect */
  open(local: Socket, remote: ForwardSpec['remote']): Promise<RelayResult>;
}

/**
 * Where new connections go: they wait while a debugger starts, go through its transport once it
 * runs, and are refused (with the reason) while there is none.
 */
export class Route {
  private next!: Promise<Transport | string>;
  private settle: (to: Transport | string) => void = () => undefined;

  constructor() {
    this.wait();
  }

  get current(): Promise<Transport | string> {
    return this.next;
  }

  wait(): void {
    this.settle('');
    this.next = new Promise((resolve) => (this.settle = resolve));
  }

  open(transport: Transport): void {
    this.settle(transport);
    this.next = Promise.resolve(transport);
  }

  /** refuses connections, the waiting ones included; an empty reason refuses them silently */
  refuse(why: string): void {
    this.settle(why);
    this.next = Promise.resolve(why);
  }
}
