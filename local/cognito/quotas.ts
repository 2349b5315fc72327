import { quotaCategoryOf } from '#shared/cognito/operations';
import { QUOTA_DEFAULTS, type QuotaCategory } from '#shared/quotas';
import { tooManyRequests } from './errors';

export type QuotaOption =
  'off' | 'default' | { scale?: number; overrides?: Partial<Record<QuotaCategory, number>> };

interface Bucket {
  rate: number;
  tokens: number;
  updated: number;
}

/**
 * One token bucket per quota category for the whole emulator, as quotas are per account.
 * Each bucket holds one second of its rate and refills continuously.
 */
export class QuotaMeter {
  private readonly buckets = new Map<QuotaCategory, Bucket>();

  constructor(
    option: QuotaOption,
    private readonly now: () => number,
  ) {
    if (option === 'off') return;
    const scale = option === 'default' ? 1 : (option.scale ?? 1);
    const overrides = option === 'default' ? {} : (option.overrides ?? {});
    for (const category of Object.keys(QUOTA_DEFAULTS) as QuotaCategory[]) {
      const rate = overrides[category] ?? QUOTA_DEFAULTS[category] * scale;
      this.buckets.set(category, { rate, tokens: rate, updated: now() });
    }
  }

  /**
   * Takes one request's token or throws TooManyRequestsException. Operations marked unmetered in
   * `functions/shared/cognito/operations.ts` pass; one missing there throws.
   */
  take(operation: string): void {
    const category = quotaCategoryOf(operation);
    const bucket = category && this.buckets.get(category);
    if (!bucket) return;
    const now = this.now();
    bucket.tokens = Math.min(bucket.rate, bucket.tokens + ((now - bucket.updated) / 1000) * bucket.rate);
    bucket.updated = now;
    if (bucket.tokens < 1) throw tooManyRequests('Too many requests');
    bucket.tokens -= 1;
  }
}
