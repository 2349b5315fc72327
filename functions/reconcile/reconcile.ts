import { LeaseHeldError, LeaseStaleError } from '#shared/errors';
import { getProgress, recountProgress } from '#shared/table/progress';
import type { ReconcileDeps } from './deps';
import { flagStragglers } from './flag-stragglers';
import { repairUnrecordedMigrations } from './repair';
import type { ReconcileReport } from './report';
import { republishStaleEvents } from './republish-events';
import { runResetCampaign } from './reset-campaign';

/** True once the configured migration window has closed. */
export const windowEnded = (deps: Pick<ReconcileDeps, 'config' | 'clock'>): boolean =>
  deps.clock.now() >= Date.parse(deps.config.migrationWindowEnd);

/**
 * The scheduled run. It always repairs unrecorded migrations (reading the target pool only);
 * once the window has closed it flags every user still PENDING, and with
 * `resetCampaign.onSchedule` it then runs the campaign. It ends by recounting the status counters
 * from the status index, which repairs a counter left behind by a crash between a status write
 * and its counter update.
 */
export const reconcile = async (
  deps: ReconcileDeps,
  options: { dryRun?: boolean; limit?: number } = {},
): Promise<ReconcileReport> => {
  const dryRun = options.dryRun ?? false;
  const startedAt = deps.clock.now();
  const ended = windowEnded(deps);
  const repair = await repairUnrecordedMigrations(deps, options);
  // Flagging waits for a complete repair pass, so nobody who already migrated is flagged.
  const flag = ended && repair.complete ? await flagStragglers(deps, options) : undefined;
  // A campaign already running (an operator's) keeps its lease; the scheduled one skips this round.
  let campaignSkipped: string | undefined;
  const campaign =
    ended && flag?.complete && deps.config.resetCampaign.onSchedule
      ? await runResetCampaign(deps, options).catch((error: unknown) => {
          if (!(error instanceof LeaseHeldError || error instanceof LeaseStaleError)) throw error;
          campaignSkipped = error.message;
          deps.logger.warn('reset campaign skipped', { reason: error.name });
          return undefined;
        })
      : undefined;
  // Last, so the events of users this pass moved into the target are owed already (and published inline).
  const events = await republishStaleEvents(deps, { ...options, deadline: startedAt + deps.budgetMs });
  const counts = dryRun ? (await getProgress(deps.table)).byStatus : await recountProgress(deps.table);
  return {
    action: 'reconcile',
    dryRun,
    windowEnded: ended,
    repair,
    ...(flag ? { flag } : {}),
    ...(campaign ? { campaign } : {}),
    ...(campaignSkipped ? { campaignSkipped } : {}),
    events,
    statusCounts: counts,
    total: Object.values(counts).reduce((sum, n) => sum + n, 0),
  };
};
