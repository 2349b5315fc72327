import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { createSourceCognitoClient, createTargetCognitoClient, type ClientDeps } from '#shared/clients';
import { systemClock, type Clock } from '#shared/clock';
import type { MigrationConfig } from '#shared/config';
import { createLogger, type AppLogger } from '#shared/logger';
import { countMetric, createMetrics, throttleMetric } from '#shared/metrics';
import { createRateLimiter } from '#shared/rate-limiter';
import { createTableContext } from '#shared/table/context';
import type { BulkExportDeps } from './types';

export interface DepsOverrides {
  clock?: Clock;
  logger?: AppLogger;
  /** The account's quotas where they were raised (requests per second by category). */
  quotas?: Parameters<typeof createRateLimiter>[0]['quotas'];
  /** Extra client dependencies (an STS client for the source role, in tests). */
  clientDeps?: Omit<ClientDeps, 'limiter' | 'clock'>;
}

/**
 * Builds the clients and limiters once per container. The source and target pools are in
 * different accounts, so each has its own limiters; shard clients each get 1/workers of the
 * source's share (see `BulkExportDeps.acquireShardSource`).
 */
export const createDeps = (config: MigrationConfig, overrides: DepsOverrides = {}): BulkExportDeps => {
  const clock = overrides.clock ?? systemClock;
  const metrics = createMetrics();
  const onThrottle = throttleMetric(metrics);
  const limiterOf = (workers: number) =>
    createRateLimiter({
      config,
      clock,
      workers,
      onThrottle,
      ...(overrides.quotas ? { quotas: overrides.quotas } : {}),
    });
  const sourceDeps = (workers: number): ClientDeps => ({
    ...overrides.clientDeps,
    clock,
    limiter: limiterOf(workers),
  });
  // Free clients per `workers`: one per task in flight, reused by the next task like a warm container.
  const idle = new Map<number, CognitoIdentityProviderClient[]>();
  return {
    config,
    clock,
    logger: overrides.logger ?? createLogger('bulk-export'),
    table: createTableContext(config, clock),
    source: createSourceCognitoClient(config, sourceDeps(1)),
    target: createTargetCognitoClient(config, { clock, limiter: limiterOf(1) }),
    acquireShardSource: (workers) => {
      const client = idle.get(workers)?.pop() ?? createSourceCognitoClient(config, sourceDeps(workers));
      let released = false;
      return {
        client,
        release: () => {
          if (released) return;
          released = true;
          idle.set(workers, [...(idle.get(workers) ?? []), client]);
        },
      };
    },
    countExported: countMetric(metrics, 'UsersExported'),
  };
};
