import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { systemClock, type Clock } from '#shared/clock';
import type { MigrationConfig } from '#shared/config';
import { createCoreDeps, type CoreDepsOptions } from '#shared/core-deps';
import { countMetric } from '#shared/metrics';
import type { BulkExportDeps } from './types';

export interface DepsOverrides extends Omit<CoreDepsOptions, 'service'> {
  clock?: Clock;
}

/**
 * Builds the clients and limiters once per container. The source and target pools are in
 * different accounts, so each has its own limiters; shard clients each get 1/workers of the
 * source's share (see `BulkExportDeps.acquireShardSource`).
 */
export const createDeps = (config: MigrationConfig, overrides: DepsOverrides = {}): BulkExportDeps => {
  const { clock = systemClock, ...options } = overrides;
  const { core, metrics, sourceClient, targetClient } = createCoreDeps(config, clock, {
    ...options,
    service: 'bulk-export',
  });
  // Free clients per `workers`: one per task in flight, reused by the next task like a warm container.
  const idle = new Map<number, CognitoIdentityProviderClient[]>();
  return {
    ...core,
    source: sourceClient(1),
    target: targetClient(),
    acquireShardSource: (workers) => {
      const client = idle.get(workers)?.pop() ?? sourceClient(workers);
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
