import { quotaShareFor, type MigrationConfig } from '#shared/config';
import { QUOTA_DEFAULTS, type QuotaCategory } from '#shared/quotas';

/** Cognito calls a phase makes, by quota category. */
export type CallCounts = Partial<Record<QuotaCategory, number>>;

/** How long a phase takes at the configured quota share, and which category binds it. */
export interface PhaseEstimate {
  calls: CallCounts;
  seconds: number;
  /** The category whose calls take longest at its rate. */
  binding?: QuotaCategory;
  /** Requests per second the migrator may spend on the binding category. */
  bindingRate?: number;
}

/** The population figures the estimates are made from. */
export interface Population {
  users: number;
  groups: number;
  memberships: number;
  /** Users the reset campaign would create and send a code (eligible, reachable). */
  campaignResets: number;
  /** Users the campaign would create disabled (disabled in the source, `create-disabled`). */
  campaignDisabled: number;
  /** Memberships of the users the campaign creates. */
  campaignMemberships: number;
  /** Users who may sign in during the window and migrate lazily (enabled, password users). */
  lazyCandidates: number;
}

/** The requests per second this migrator may spend on a category: account quota times the share. */
export const rateFor = (
  config: Pick<MigrationConfig, 'quotaShare' | 'quotaShareByCategory' | 'accountQuotas'>,
  category: QuotaCategory,
): number => (config.accountQuotas[category] ?? QUOTA_DEFAULTS[category]) * quotaShareFor(config, category);

const LIST_PAGE = 60;

const phase = (calls: CallCounts, config: Parameters<typeof rateFor>[0]): PhaseEstimate => {
  let seconds = 0;
  let binding: QuotaCategory | undefined;
  for (const [category, count] of Object.entries(calls) as [QuotaCategory, number][]) {
    const time = count / rateFor(config, category);
    if (time > seconds) {
      seconds = time;
      binding = category;
    }
  }
  return { calls, seconds, ...(binding ? { binding, bindingRate: rateFor(config, binding) } : {}) };
};

/**
 * The bulk sync: ListUsers in pages of 60, ListGroups, ListUsersInGroup per group in pages of 60
 * (UserList), and CreateGroup in the target per group. Pages of one listing are sequential, so the
 * estimate is a lower bound set by the quota, which the sync reaches (bench/RESULTS.md).
 */
export const estimateBulkSync = (
  population: Population,
  config: Parameters<typeof rateFor>[0],
): PhaseEstimate =>
  phase(
    {
      UserList:
        Math.ceil(population.users / LIST_PAGE) +
        population.groups +
        Math.ceil(population.memberships / LIST_PAGE),
      UserPoolResourceRead: Math.ceil(population.groups / LIST_PAGE) + 2,
      UserPoolResourceUpdate: population.groups,
    },
    config,
  );

/**
 * The end-of-window campaign if nobody signed in during the window (the worst case): per user an
 * AdminGetUser in the source (is the user still there?), AdminCreateUser and AdminSetUserPassword
 * (out of FORCE_CHANGE_PASSWORD) in the target, AdminAddUserToGroup per membership, then
 * AdminResetUserPassword, or AdminDisableUser for a disabled user.
 */
export const estimateCampaign = (
  population: Population,
  config: Parameters<typeof rateFor>[0],
): PhaseEstimate => {
  const created = population.campaignResets + population.campaignDisabled;
  return phase(
    {
      UserRead: created,
      UserCreation: created,
      UserUpdate: created + population.campaignMemberships + population.campaignDisabled,
      UserAccountRecovery: population.campaignResets,
    },
    config,
  );
};

/**
 * List prices (US East, N. Virginia) the cost estimate assumes; check the AWS pricing pages for
 * your Region and tier. Cognito MAU: Essentials tier, beyond the 10,000 free MAUs.
 */
export const PRICES = {
  lambdaPerMillionRequests: 0.2,
  lambdaPerGbSecondArm: 0.0000133334,
  stepFunctionsPerThousandTransitions: 0.025,
  dynamoPerMillionWrites: 0.625,
  dynamoPerMillionReads: 0.125,
  cognitoPerMau: 0.015,
} as const;

export interface CostEstimate {
  lambda: number;
  stepFunctions: number;
  dynamodb: number;
  /** Source users counted as monthly active in the source pool because the trigger signs them in there. */
  sourceMau: number;
  sourceMauCost: number;
  total: number;
  assumptions: string[];
}

/**
 * An order-of-magnitude cost: bulk-sync tasks (1 GB arm64, each running the task budget), one
 * trigger invocation per lazy migration (1 GB, ~300 ms: AdminInitiateAuth + AdminGetUser in the
 * source), the campaign's reconcile time, the table's writes (snapshot, login keys, memberships,
 * status changes) and reads; and the MAU the source pool bills for every user the trigger signs
 * in there (AdminInitiateAuth counts as activity; AdminGetUser does not).
 */
export const estimateCost = (
  population: Population,
  bulkSync: PhaseEstimate,
  campaign: PhaseEstimate,
  taskBudgetSeconds = 120,
): CostEstimate => {
  const tasks = Math.max(1, Math.ceil(bulkSync.seconds / taskBudgetSeconds)) + 4;
  const lambdaSeconds = tasks * taskBudgetSeconds + population.lazyCandidates * 0.3 + campaign.seconds;
  const invocations = tasks + population.lazyCandidates * 2 + Math.ceil(campaign.seconds / 600);
  const lambda =
    (invocations / 1e6) * PRICES.lambdaPerMillionRequests + lambdaSeconds * PRICES.lambdaPerGbSecondArm;
  const stepFunctions = ((tasks * 3 + 12) / 1000) * PRICES.stepFunctionsPerThousandTransitions;
  const writes = population.users * 6 + population.memberships + population.campaignResets * 3;
  const reads = population.users * 4;
  const dynamodb =
    (writes / 1e6) * PRICES.dynamoPerMillionWrites + (reads / 1e6) * PRICES.dynamoPerMillionReads;
  const sourceMau = population.lazyCandidates;
  const sourceMauCost = sourceMau * PRICES.cognitoPerMau;
  return {
    lambda,
    stepFunctions,
    dynamodb,
    sourceMau,
    sourceMauCost,
    total: lambda + stepFunctions + dynamodb + sourceMauCost,
    assumptions: [
      'US East list prices; Lambda arm64 1 GB; DynamoDB on-demand; Step Functions Standard',
      `source MAU: every enabled password user who signs in during the window is also active in the source pool that month (upper bound: ${sourceMau}), at $${PRICES.cognitoPerMau}/MAU beyond the free tier`,
    ],
  };
};
