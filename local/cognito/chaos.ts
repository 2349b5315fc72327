import { seededRandom } from '../seeded-random';
import { CognitoError } from './errors';

export type LatencyOption = { fixedMs: number; jitterMs?: number } | ((operation: string) => number);
export type FaultOption = Record<string, { rate: number; error?: string }>;

/** Injected latency and faults for an operation call. */
export class Chaos {
  private readonly random: () => number;

  constructor(
    private readonly latency: LatencyOption | undefined,
    private readonly faults: FaultOption | undefined,
    seed: number | undefined,
  ) {
    this.random = seed === undefined ? Math.random : seededRandom(seed);
  }

  delayFor(operation: string): number {
    if (!this.latency) return 0;
    if (typeof this.latency === 'function') return Math.max(0, this.latency(operation));
    return this.latency.fixedMs + (this.latency.jitterMs ? this.random() * this.latency.jitterMs : 0);
  }

  /** The injected error for this call, if the dice say so. */
  faultFor(operation: string): CognitoError | undefined {
    const fault = this.faults?.[operation];
    if (!fault || this.random() >= fault.rate) return undefined;
    const name = fault.error ?? 'InternalErrorException';
    return new CognitoError(
      name,
      `Injected fault for ${operation}`,
      name === 'InternalErrorException' ? 500 : 400,
    );
  }
}
