import { systemClock } from '#shared/clock';
import { createLambdaClient, createTargetCognitoClient } from '#shared/clients';
import { createTableContext } from '#shared/table/context';
import type { MigrationConfig } from '#shared/config';
import { ConfigError } from '#shared/errors';
import { createLogger } from '#shared/logger';
import { createMetrics, throttleMetric } from '#shared/metrics';
import { createRateLimiter } from '#shared/rate-limiter';
import type { PostAuthenticationDeps } from './post-authentication';

export type GroupSyncDeps = PostAuthenticationDeps;

/**
 * Builds group-sync's clients once per cold start. The target client is metered by a rate
 * limiter (AdminAddUserToGroup spends the account's UserUpdate quota, shared with applications).
 */
export const createDeps = (
  config: MigrationConfig,
  options: { functionName: string | undefined },
): GroupSyncDeps => {
  const functionName = config.groupSyncFunctionName ?? options.functionName;
  if (!functionName) {
    throw new ConfigError('group-sync needs its own function name: set groupSyncFunctionName', [
      'groupSyncFunctionName',
    ]);
  }
  const clock = systemClock;
  const limiter = createRateLimiter({ config, clock, onThrottle: throttleMetric(createMetrics()) });
  return {
    config,
    clock,
    logger: createLogger('group-sync'),
    cognito: createTargetCognitoClient(config, { clock, limiter }),
    table: createTableContext(config, clock),
    lambda: createLambdaClient(config),
    functionName,
  };
};
