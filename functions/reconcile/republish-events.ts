import { publishUserMigrated } from '#shared/migration-events';
import { EVENT_CLAIM_GRACE_MS, listStaleEventClaims, reclaimEvent } from '#shared/table/migration-events';
import type { ReconcileDeps } from './deps';

/** What one republish pass did. */
export interface RepublishResult {
  /** Owed events claimed longer ago than the grace (their target sub known or not). */
  examined: number;
  published: number;
  failed: number;
  /** Owed events whose target user's sub is not known yet: published at the user's first sign-in. */
  awaitingSub: number;
  complete: boolean;
}

/**
 * Publishes the UserMigrated events whose publisher failed or stopped: every owed event claimed
 * more than EVENT_CLAIM_GRACE_MS ago with a known target sub is taken over (a conditional write on
 * the claim read, so two reconcilers or a late inline publisher cannot both take it) and published
 * under its deterministic id. Runs on every reconcile pass, before the budget is spent elsewhere.
 */
export const republishStaleEvents = async (
  deps: ReconcileDeps,
  options: { dryRun?: boolean; limit?: number } = {},
): Promise<RepublishResult> => {
  const result: RepublishResult = { examined: 0, published: 0, failed: 0, awaitingSub: 0, complete: false };
  const deadline = deps.clock.now() + deps.budgetMs;
  const limit = options.limit ?? Infinity;
  const cutoff = new Date(deps.clock.now() - EVENT_CLAIM_GRACE_MS).toISOString();
  let token: string | undefined;
  do {
    if (deps.clock.now() >= deadline || result.examined >= limit) return result;
    const page = await listStaleEventClaims(deps.table, cutoff, {
      limit: Math.min(100, limit - result.examined),
      ...(token ? { nextToken: token } : {}),
    });
    for (const entry of page.entries) {
      result.examined += 1;
      if (!entry.targetSub) {
        result.awaitingSub += 1;
        continue;
      }
      if (options.dryRun) continue;
      const subject = await reclaimEvent(deps.table, entry.username, entry.claimedAt);
      if (!subject) continue;
      const outcome = await publishUserMigrated(subject, deps);
      if (outcome === 'published') result.published += 1;
      else result.failed += 1;
    }
    token = page.nextToken;
  } while (token);
  result.complete = true;
  if (result.examined > 0) {
    deps.logger.info('stale migration events republished', {
      reason: 'outbox-pass',
      examined: result.examined,
      published: result.published,
      failed: result.failed,
      awaitingSub: result.awaitingSub,
    });
  }
  return result;
};
