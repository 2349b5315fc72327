import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { cacheTargetSchema, describeTargetSchema, type TargetSchema } from '#shared/attribute-mapping';
import { createSourceCognitoClient, createTargetCognitoClient } from '#shared/clients';
import { systemClock, type Clock } from '#shared/clock';
import type { MigrationConfig } from '#shared/config';
import { createLogger, type AppLogger } from '#shared/logger';
import { createMetrics, throttleMetric } from '#shared/metrics';
import { createRateLimiter } from '#shared/rate-limiter';
import { createTableContext, type TableContext } from '#shared/table/context';
import { timerDeadline, type StartDeadline } from './deadline';
import { powertoolsOutcomeMetrics, type OutcomeMetrics } from './metrics';

/** Everything the lazy-migrate logic uses; built once per container by `createDeps`. */
export interface LazyMigrateDeps {
  config: MigrationConfig;
  /** The source pool, through the migration role; rate limited (UserAuthentication, UserRead). */
  source: CognitoIdentityProviderClient;
  table: TableContext;
  /** The target pool's schema, cached per container. */
  targetSchema: () => Promise<TargetSchema>;
  logger: AppLogger;
  metrics: OutcomeMetrics;
  clock: Clock;
  startDeadline: StartDeadline;
}

/**
 * Builds clients, limiter, logger and the schema cache once per cold start, so warm invocations
 * reuse assumed-role credentials, connections and the target schema.
 */
export const createDeps = (config: MigrationConfig, clock: Clock = systemClock): LazyMigrateDeps => {
  // Source and target live in different accounts as a rule: each gets its own limiter.
  const metrics = createMetrics();
  const onThrottle = throttleMetric(metrics);
  const source = createSourceCognitoClient(config, {
    clock,
    limiter: createRateLimiter({ config, clock, onThrottle }),
  });
  const target = createTargetCognitoClient(config, {
    clock,
    limiter: createRateLimiter({ config, clock, onThrottle }),
  });
  return {
    config,
    source,
    table: createTableContext(config, clock),
    targetSchema: cacheTargetSchema(() => describeTargetSchema(target, config.target.userPoolId), clock),
    logger: createLogger('lazy-migrate'),
    metrics: powertoolsOutcomeMetrics(metrics),
    clock,
    startDeadline: timerDeadline(clock),
  };
};
