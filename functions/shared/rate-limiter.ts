import {
  TooManyRequestsException,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { systemClock, type Clock } from './clock';
import { quotaShareFor, type MigrationConfig } from './config';
import { InvalidInputError } from './errors';
import { quotaCategoryOf } from './cognito/operations';
import { QUOTA_DEFAULTS, type QuotaCategory } from './quotas';

/** Spends Cognito quota per category: callers wait for a token, and report throttling back. */
export interface RateLimiter {
  /** Waits until `count` requests (default 1) of `category` may be sent. Waiters are served in call order. */
  take(category: QuotaCategory, count?: number): Promise<void>;
  /** Reports a TooManyRequestsException: the category's rate is halved, then recovers gradually. */
  throttled(category: QuotaCategory): void;
  /** The requests per second `category` is currently allowed. */
  rate(category: QuotaCategory): number;
}

export interface RateLimiterOptions {
  config: Pick<MigrationConfig, 'quotaShare' | 'quotaShareByCategory'> &
    Partial<Pick<MigrationConfig, 'accountQuotas'>>;
  /** @default systemClock */
  clock?: Clock;
  /** The account's quotas in requests per second, where they were raised. @default QUOTA_DEFAULTS */
  quotas?: Partial<Record<QuotaCategory, number>>;
  /** Told of every TooManyRequestsException (e.g. to emit the `Throttles` metric). */
  onThrottle?: (category: QuotaCategory) => void;
  /** Cooperating limiters (e.g. Map shards) sharing the quota; this one gets 1/workers of it. @default 1 */
  workers?: number;
}

/**
 * After a throttle the rate regains this fraction of the configured rate per second, so one
 * halving is undone in 5 s: quick enough not to stall a bulk run, slow enough that an
 * application still busy with the shared quota is not hit again at once.
 */
const RECOVERY_PER_SECOND = 0.1;
/**
 * Throttles reported within this window after a decrease count as the same event: requests
 * already in flight when the rate was cut come back throttled too, and halving for each of them
 * would collapse the rate to nothing.
 */
const DECREASE_COOLDOWN_MS = 1000;
/** Six halvings at most; below this the migrator would make no progress at all. */
const MIN_RATE_FRACTION = 1 / 64;
/** Absorbs floating-point error in the token count, so a waiter never sleeps for a rounding crumb. */
const EPSILON = 1e-9;

interface Waiter {
  count: number;
  resolve: () => void;
}

interface Bucket {
  configured: number;
  tokens: number;
  refilledAt: number;
  /** The rate right after the last decrease, and when that was; the rate climbs back from there. */
  reducedTo: number;
  reducedAt: number;
  queue: Waiter[];
  pumping: boolean;
}

const rateAt = (bucket: Bucket, now: number): number =>
  Math.min(
    bucket.configured,
    bucket.reducedTo + bucket.configured * RECOVERY_PER_SECOND * ((now - bucket.reducedAt) / 1000),
  );

/** The bucket holds one second of the current rate: the largest burst a caller can ever send. */
const capacityAt = (bucket: Bucket, now: number): number => rateAt(bucket, now);

/**
 * Adds the tokens earned since the last refill. It credits the rate of the interval's start,
 * which is never above the rate during it (the rate only climbs between decreases), so the
 * bucket can under-grant by a hair but never over-grant.
 */
const refill = (bucket: Bucket, now: number): void => {
  const earned = (rateAt(bucket, bucket.refilledAt) * (now - bucket.refilledAt)) / 1000;
  bucket.tokens = Math.min(capacityAt(bucket, now), bucket.tokens + earned);
  bucket.refilledAt = now;
};

/**
 * Creates a token bucket per quota category, each sized to `quotaShareFor(config, category)` of
 * the category's quota divided among `workers`. Buckets start full.
 */
export const createRateLimiter = (options: RateLimiterOptions): RateLimiter => {
  const clock = options.clock ?? systemClock;
  const workers = options.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1) {
    throw new InvalidInputError(`Rate limiter workers must be a positive integer, got ${workers}`);
  }
  const buckets = new Map<QuotaCategory, Bucket>();

  const bucketFor = (category: QuotaCategory): Bucket => {
    let bucket = buckets.get(category);
    if (!bucket) {
      const quota =
        options.quotas?.[category] ?? options.config.accountQuotas?.[category] ?? QUOTA_DEFAULTS[category];
      if (!(quota > 0)) throw new InvalidInputError(`Quota for ${category} must be positive, got ${quota}`);
      const configured = (quotaShareFor(options.config, category) * quota) / workers;
      const now = clock.now();
      bucket = {
        configured,
        tokens: configured,
        refilledAt: now,
        reducedTo: configured,
        reducedAt: -Infinity,
        queue: [],
        pumping: false,
      };
      buckets.set(category, bucket);
    }
    return bucket;
  };

  // One loop per bucket serves the queue head only, which is what makes service FIFO: a large
  // request is not overtaken by small ones, and no two waiters spend the same tokens.
  const pump = async (bucket: Bucket): Promise<void> => {
    bucket.pumping = true;
    try {
      while (bucket.queue.length > 0) {
        const now = clock.now();
        refill(bucket, now);
        const head = bucket.queue[0]!;
        // A request larger than the bucket waits for a full bucket and leaves the rest as debt,
        // so it can proceed at all and the long-run rate still holds.
        const missing = Math.min(head.count, capacityAt(bucket, now)) - bucket.tokens;
        if (missing <= EPSILON) {
          bucket.tokens -= head.count;
          bucket.queue.shift();
          head.resolve();
          continue;
        }
        // Whole milliseconds: timers cannot do better, and rounding up keeps the loop from
        // waking a moment too early and sleeping again.
        await clock.sleep(Math.max(1, Math.ceil((missing / rateAt(bucket, now)) * 1000)));
      }
    } finally {
      bucket.pumping = false;
    }
  };

  return {
    take: (category, count = 1) => {
      if (!(count > 0) || !Number.isFinite(count)) {
        return Promise.reject(new InvalidInputError(`take() needs a positive count, got ${count}`));
      }
      const bucket = bucketFor(category);
      return new Promise<void>((resolve) => {
        bucket.queue.push({ count, resolve });
        if (!bucket.pumping) void pump(bucket);
      });
    },
    throttled: (category) => {
      options.onThrottle?.(category);
      const bucket = bucketFor(category);
      const now = clock.now();
      if (now - bucket.reducedAt < DECREASE_COOLDOWN_MS) return;
      refill(bucket, now);
      bucket.reducedTo = Math.max(bucket.configured * MIN_RATE_FRACTION, rateAt(bucket, now) / 2);
      bucket.reducedAt = now;
      // The quota is exhausted right now (others share it): stop bursting from saved tokens.
      bucket.tokens = Math.min(bucket.tokens, 0);
    },
    rate: (category) => rateAt(bucketFor(category), clock.now()),
  };
};

/** A limiter that never waits; for code paths and tests where quota is not the concern. */
export const unlimited: RateLimiter = {
  take: () => Promise.resolve(),
  throttled: () => undefined,
  rate: () => Infinity,
};

/**
 * Installs SDK middleware on `client`: every attempt of a Cognito command (retries included)
 * first takes a token of its operation's category (`cognito/operations.ts`), and a
 * TooManyRequestsException answer calls `limiter.throttled`. An operation marked unmetered there
 * passes ungated; one not listed at all fails with UnlistedCognitoOperationError before it is sent.
 *
 * Pass the same limiter to clients of pools that share an account and Region (quotas are per
 * account and Region); give pools in different accounts their own limiters.
 */
export const applyRateLimiter = (client: CognitoIdentityProviderClient, limiter: RateLimiter): void => {
  const middleware =
    <Args, Output>(next: (args: Args) => Promise<Output>, context: { commandName?: string }) =>
    async (args: Args): Promise<Output> => {
      const category = quotaCategoryOf(context.commandName ?? '');
      if (!category) return next(args);
      await limiter.take(category);
      try {
        return await next(args);
      } catch (error) {
        if (error instanceof TooManyRequestsException) limiter.throttled(category);
        throw error;
      }
    };
  client.middlewareStack.addRelativeTo(middleware, {
    // Inside the retry loop, so each attempt is metered; before signing, so a long wait never
    // sends a stale signature.
    relation: 'after',
    toMiddleware: 'retryMiddleware',
    name: 'cognitoRateLimiter',
    override: true,
  });
};
