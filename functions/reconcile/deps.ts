import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { createEventBridgeClient } from '#shared/clients';
import { cacheTargetSchema, describeTargetSchema, type TargetSchema } from '#shared/attribute-mapping';
import { systemClock, type Clock } from '#shared/clock';
import type { MigrationConfig } from '#shared/config';
import { createCoreDeps, type CoreDeps } from '#shared/core-deps';
import type { LeaseGuard } from '#shared/table/leases';

/** Everything the reconciler and the reset campaign work with; tests pass fakes. */
export interface ReconcileDeps extends CoreDeps {
  /** The source pool; only read, and never once `config.source.retired` is true. */
  source: CognitoIdentityProviderClient;
  /** The target pool, rate limited per quota category (applyRateLimiter). */
  target: CognitoIdentityProviderClient;
  /** Publishes UserMigrated events (the campaign's, repaired users', stale claims'). Absent: left owed. */
  events?: EventBridgeClient;
  /** The target schema, cached: DescribeUserPool is UserPoolResourceRead, 5 per second per pool. */
  targetSchema: () => Promise<TargetSchema>;
  /** Users worked on at once. The rate limiter sets the pace; this bounds requests in flight. */
  concurrency: number;
  /** Stop starting new work after this many ms, leaving room to write the report. */
  budgetMs: number;
  /** A password nobody knows, to take a new user out of FORCE_CHANGE_PASSWORD. */
  randomPassword: () => string;
  /** Who this process is, in the campaign lease (`host:pid`). */
  leaseHolder?: string;
  /** The campaign lease's TTL (default CAMPAIGN_LEASE_MS). */
  campaignLeaseMs?: number;
  /**
   * Set by the campaign while it holds its lease: a per-user step about to do something
   * destructive (set a password, send a code) calls `ensure(ms)` first.
   */
  leaseGuard?: LeaseGuard;
}

/**
 * 48 random characters plus one of each class, so it passes any password policy Cognito allows
 * (at most 99 characters required, any class required). It is never logged nor stored.
 */
export const randomPassword = (): string => `${randomBytes(36).toString('base64url')}aZ9!`;

/** Lambda allows 15 minutes; stop starting work after 12 so the run can record where it stopped. */
const DEFAULT_BUDGET_MS = 12 * 60 * 1000;

/**
 * Builds the clients once per cold start. Source and target get separate limiters: quotas are per
 * account and Region, and the source usually lives in another account.
 */
export const createDeps = (config: MigrationConfig, clock: Clock = systemClock): ReconcileDeps => {
  const { core, sourceClient, targetClient } = createCoreDeps(config, clock, { service: 'reconcile' });
  const target = targetClient();
  return {
    ...core,
    source: sourceClient(),
    target,
    events: createEventBridgeClient(config),
    targetSchema: cacheTargetSchema(() => describeTargetSchema(target, config.target.userPoolId), clock),
    concurrency: 8,
    budgetMs: DEFAULT_BUDGET_MS,
    randomPassword,
    leaseHolder: `${hostname()}:${process.pid}`,
  };
};
