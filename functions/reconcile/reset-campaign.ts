import pLimit from 'p-limit';
import { getUser, listUsersByStatus } from '#shared/table/users';
import { resetFlaggedUser } from './campaign-user';
import { planUser, sampleOf } from './plan-user';
import type { ReconcileDeps } from './deps';
import { buildCampaignReport, type CampaignReport, type CampaignSample, type UserOutcome } from './report';

export interface CampaignOptions {
  /** Count and sample what would happen; write nothing, call nothing that writes. */
  dryRun?: boolean;
  /** At most this many flagged users this run (a first small batch). @default config.resetCampaign.batchLimit */
  limit?: number;
}

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
  const dryRun = options.dryRun ?? false;
  const max = options.limit ?? deps.config.resetCampaign.batchLimit ?? Infinity;
  const startedAt = new Date(deps.clock.now()).toISOString();
  const deadline = deps.clock.now() + deps.budgetMs;
  const schema = await deps.targetSchema();
  const limit = pLimit(deps.concurrency);
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
        const preview = sampleOf(record, planUser(record, schema, deps));
        outcomes.push(preview);
        if (sample.length < SAMPLE_SIZE) sample.push(preview);
        return;
      }
      outcomes.push(await resetFlaggedUser(username, deps, schema));
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
