import type { Outbox } from './outbox';
import type { Store } from './store';
import type { TokenService } from './tokens';
import type { Triggers } from './triggers';

/** What every operation works with. `region` is the caller's signing region. */
export interface OpContext {
  store: Store;
  outbox: Outbox;
  triggers: Triggers;
  tokens: TokenService;
  now(): number;
  region: string;
}

// The operations take AWS's JSON input as it comes over the wire and validate what they use.
export type Input = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export type Operation = (input: Input, ctx: OpContext) => Promise<object> | object;

/** Epoch seconds, as the JSON 1.1 protocol carries timestamps. */
export const seconds = (ms: number): number => ms / 1000;
