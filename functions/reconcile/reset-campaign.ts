import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import { acquireLease, createLeaseGuard, releaseLease, type LeaseGuard } from '#shared/table/leases';
import { getUser, listUsersByStatus } from '#shared/table/users';
import { resetFlaggedUser } from './campaign-user';
import { skipIfOutOfScope } from './scope-check';
import { planUser, sampleOf } from './plan-user';
import type { ReconcileDeps } from './deps';
import { buildCampaignReport, type CampaignReport, type CampaignSample, type UserOutcome } from './report';

export interface CampaignOptions {
  /** Count and sample what would happen; write nothing, call nothing that writes. */
  dryRun?: boolean;
  /** At most this many flagged users this run (a first small batch). @default config.resetCampaign.batchLimit */
  limit?: number;
  /** Take over the campaign lease if (and only if) its holder stopped renewing it. */
  takeOver?: boolean;
  /** Recorded on the markers this run writes, to tell whose a half-done user is. @default a random id */
  campaignId?: string;
}

/**
 * How long a campaign counts as alive without renewing its lease. It renews before a user once
 * less than half is left, so one user's steps (create, groups, reset: a few rate-limited calls)
 * must end within half of it: `USER_STEP_BOUND_MS`.
 */
export const CAMPAIGN_LEASE_MS = 5 * 60_000;
export const USER_STEP_BOUND_MS = 60_000;

const SAMPLE_SIZE = 10;
const PAGE = 100;

/**
 * The reset campaign: every FLAGGED_FOR_RESET user is created in the target pool from the
 * snapshot, given their groups and sent a reset code (see `resetFlaggedUser`). Pace comes from
 * the target client's rate limiter (UserCreation, UserUpdate, UserAccountRecovery at the
 * configured share); `deps.concurrency` bounds users in flight. Resumable: users it finished have
 * left FLAGGED_FOR_RESET, users it was in the middle of carry markers. The first error that is
 * not about one user stops new work; the report says so and a rerun continues.
 */
export const runResetCampaign = async (
  deps: ReconcileDeps,
  options: CampaignOptions = {},
): Promise<CampaignReport> => {
  if (options.dryRun) return runCampaignSteps(deps, options);
  // One campaign at a time: two would give a user who already holds a code a new password.
  // LeaseHeldError / LeaseStaleError name the running campaign; nothing was written.
  const who = { owner: `campaign-${randomUUID()}`, holder: deps.leaseHolder ?? 'reconcile' };
  const ttlMs = deps.campaignLeaseMs ?? CAMPAIGN_LEASE_MS;
  const { lease } = await acquireLease(deps.table, 'reset-campaign', {
    ...who,
    ttlMs,
    ...(options.takeOver ? { takeOver: true } : {}),
  });
  deps.logger.info('reset campaign lease acquired', { reason: 'lease', owner: who.owner });
  try {
    return await runCampaignSteps(deps, options, createLeaseGuard(deps.table, 'reset-campaign', who, lease));
  } finally {
    await releaseLease(deps.table, 'reset-campaign', who);
  }
};

/**
 * The campaign's work without taking the lease: what `runResetCampaign` runs while it holds it.
 * Exported so tests can run two campaigns at once, as a stale-lease takeover while the old holder
 * still runs would: the per-user steps (campaign-step.ts) must hold without the lease.
 */
export const runCampaignSteps = async (
  deps: ReconcileDeps,
  options: CampaignOptions,
  guard?: LeaseGuard,
): Promise<CampaignReport> => {
  const dryRun = options.dryRun ?? false;
  const max = options.limit ?? deps.config.resetCampaign.batchLimit ?? Infinity;
  const startedAt = new Date(deps.clock.now()).toISOString();
  const deadline = deps.clock.now() + deps.budgetMs;
  const schema = await deps.targetSchema();
  const limit = pLimit(deps.concurrency);
  const campaignId = options.campaignId ?? `campaign-${randomUUID()}`;
  const outcomes: UserOutcome[] = [];
  const sample: CampaignSample[] = [];
  let aborted: CampaignReport['aborted'];
  let started = 0;
  let token: string | undefined;
  let exhausted = false;

  const handle = async (username: string): Promise<void> => {
    if (aborted) return;
    try {
      if (dryRun) {
        const record = await getUser(deps.table, username);
        if (record?.status !== 'FLAGGED_FOR_RESET') return;
        const outOfScope = await skipIfOutOfScope(record, deps, { dryRun: true });
        if (outOfScope) {
          outcomes.push(outOfScope);
          return;
        }
        const preview = sampleOf(record, planUser(record, schema, deps));
        outcomes.push(preview);
        if (sample.length < SAMPLE_SIZE) sample.push(preview);
        return;
      }
      // Nothing is created or reset for this user unless the campaign still holds its lease for
      // longer than the user's steps can take (a taken-over campaign stops here).
      await guard?.ensure(USER_STEP_BOUND_MS);
      outcomes.push(
        await resetFlaggedUser(
          username,
          { ...deps, ...(guard ? { leaseGuard: guard } : {}) },
          schema,
          campaignId,
        ),
      );
    } catch (error) {
      // Not limit.clearQueue(): it drops queued promises unsettled and Promise.all would never
      // return. Queued users return at once on `aborted` instead.
      aborted ??= { error: (error as Error).name, message: (error as Error).message };
      deps.logger.error('reset campaign stopped', {
        reason: 'error',
        username,
        error: (error as Error).name,
      });
    }
  };

  while (!aborted && started < max && deps.clock.now() < deadline) {
    const page = await listUsersByStatus(deps.table, 'FLAGGED_FOR_RESET', {
      limit: Math.min(PAGE, max - started),
      nextToken: token,
    });
    started += page.users.length;
    await Promise.all(page.users.map((user) => limit(() => handle(user.username))));
    token = page.nextToken;
    if (!token) {
      exhausted = true;
      break;
    }
  }
  const report = buildCampaignReport(outcomes, {
    dryRun,
    startedAt,
    finishedAt: new Date(deps.clock.now()).toISOString(),
    complete: exhausted && !aborted,
    ...(dryRun ? { sample } : {}),
    ...(aborted ? { aborted } : {}),
  });
  deps.logger.info('reset campaign finished', {
    reason: report.complete ? 'complete' : 'stopped-early',
    counts: report.counts,
  });
  return report;
};
