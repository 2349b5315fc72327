import { systemClock } from '#shared/clock';
import { createEventBridgeClient, createLambdaClient } from '#shared/clients';
import type { MigrationConfig } from '#shared/config';
import { createCoreDeps } from '#shared/core-deps';
import { ConfigError } from '#shared/errors';
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
  const { core, targetClient } = createCoreDeps(config, systemClock, { service: 'group-sync' });
  return {
    ...core,
    cognito: targetClient(),
    lambda: createLambdaClient(config),
    events: createEventBridgeClient(config),
    functionName,
  };
};
