import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { createSourceCognitoClient, createTargetCognitoClient, type ClientDeps } from './clients';
import type { Clock } from './clock';
import type { MigrationConfig } from './config';
import { createLogger, type AppLogger } from './logger';
import { createMetrics, throttleMetric } from './metrics';
import { createRateLimiter, type RateLimiter, type RateLimiterOptions } from './rate-limiter';
import { createTableContext, type TableContext } from './table/context';

/** What the logic of every function gets: each function's deps interface extends it. */
export interface CoreDeps {
  config: MigrationConfig;
  clock: Clock;
  logger: AppLogger;
  table: TableContext;
}

/** What a function's `createDeps` builds its deps from: the core it passes on, and builders. */
export interface CoreParts {
  core: CoreDeps;
  /** The function's Powertools metrics; throttles of every limiter below are emitted on it. */
  metrics: Metrics;
  /** A new set of token buckets (one per quota category) at 1/`workers` of the configured share. */
  limiter(workers?: number): RateLimiter;
  /** A new source-pool client with its own limiter (quotas are per account: never share it with the target's). */
  sourceClient(workers?: number): CognitoIdentityProviderClient;
  /** A new target-pool client with its own limiter. */
  targetClient(): CognitoIdentityProviderClient;
}

export interface CoreDepsOptions {
  /** The logger's service name: the function's folder name. */
  service: string;
  /** @default createLogger(service) */
  logger?: AppLogger;
  /** The account's quotas where they were raised (requests per second by category). */
  quotas?: RateLimiterOptions['quotas'];
  /** Extra client dependencies (an STS client for the source role, in tests). */
  clientDeps?: Omit<ClientDeps, 'limiter' | 'clock'>;
}

/**
 * Builds what the four functions share, once per container: configuration, clock, logger, the
 * table context, metrics, and rate-limited Cognito clients. A function's `createDeps` takes the
 * core, builds the clients it calls, and adds its own parts.
 */
export const createCoreDeps = (
  config: MigrationConfig,
  clock: Clock,
  options: CoreDepsOptions,
): CoreParts => {
  const metrics = createMetrics();
  const onThrottle = throttleMetric(metrics);
  const limiter = (workers = 1): RateLimiter =>
    createRateLimiter({
      config,
      clock,
      workers,
      onThrottle,
      ...(options.quotas ? { quotas: options.quotas } : {}),
    });
  return {
    core: {
      config,
      clock,
      logger: options.logger ?? createLogger(options.service),
      table: createTableContext(config, clock),
    },
    metrics,
    limiter,
    sourceClient: (workers = 1) =>
      createSourceCognitoClient(config, { ...options.clientDeps, clock, limiter: limiter(workers) }),
    targetClient: () => createTargetCognitoClient(config, { clock, limiter: limiter() }),
  };
};
