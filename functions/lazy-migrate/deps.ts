import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { cacheTargetSchema, describeTargetSchema, type TargetSchema } from '#shared/attribute-mapping';
import { systemClock, type Clock } from '#shared/clock';
import type { MigrationConfig } from '#shared/config';
import { createCoreDeps, type CoreDeps } from '#shared/core-deps';
import { timerDeadline, type StartDeadline } from './deadline';
import { powertoolsOutcomeMetrics, type OutcomeMetrics } from './metrics';

/** Everything the lazy-migrate logic uses; built once per container by `createDeps`. */
export interface LazyMigrateDeps extends CoreDeps {
  /** The source pool, through the migration role; rate limited (UserAuthentication, UserRead). */
  source: CognitoIdentityProviderClient;
  /** The target pool's schema, cached per container. */
  targetSchema: () => Promise<TargetSchema>;
  metrics: OutcomeMetrics;
  startDeadline: StartDeadline;
}

/**
 * Builds clients, limiter, logger and the schema cache once per cold start, so warm invocations
 * reuse assumed-role credentials, connections and the target schema.
 */
export const createDeps = (config: MigrationConfig, clock: Clock = systemClock): LazyMigrateDeps => {
  // Source and target live in different accounts as a rule: each client gets its own limiter.
  const { core, metrics, sourceClient, targetClient } = createCoreDeps(config, clock, {
    service: 'lazy-migrate',
  });
  const target = targetClient();
  return {
    ...core,
    source: sourceClient(),
    targetSchema: cacheTargetSchema(() => describeTargetSchema(target, config.target.userPoolId), clock),
    metrics: powertoolsOutcomeMetrics(metrics),
    startDeadline: timerDeadline(clock),
  };
};
