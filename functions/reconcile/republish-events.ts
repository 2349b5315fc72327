import { publishIfDue, publishUserMigrated } from '#shared/migration-events';
import { EVENT_CLAIM_GRACE_MS, listStaleEventClaims, reclaimEvent } from '#shared/table/migration-events';
import { recordTargetSub } from '#shared/table/target-sub';
import { getUser } from '#shared/table/users';
import { getTarget } from './campaign-status';
import type { ReconcileDeps } from './deps';

/**
 * The target sub of a migrated user nobody has seen sign in since (a forgot-password migration
 * never completed, an MFA challenge never answered): AdminGetUser on the name the migration gave
 * Cognito, accepted only when the target user carries this source user's legacy sub — an attribute
 * no app client may write (preflight's LEGACY_SUB_WRITABLE) — so a stranger holding the name later
 * is never bound. Without a legacy-sub attribute the user waits for their first sign-in.
 */
const resolveTargetSub = async (deps: ReconcileDeps, username: string): Promise<boolean> => {
  const attribute = deps.config.attributeMap.legacySubAttribute;
  const record = await getUser(deps.table, username);
  if (!attribute || !record || record.targetSub || !record.eventOutbox) return false;
  const target = await getTarget(deps, record.targetUsername ?? record.username);
  const sub = target?.attributes.sub;
  if (!sub || target.attributes[attribute] !== record.sub) return false;
  const { due } = await recordTargetSub(deps.table, username, sub);
  return (await publishIfDue(due, deps)) === 'published';
};

/** What one republish pass did. */
export interface RepublishResult {
  /** Owed events read from the outbox (fresh claims with a known sub are left to their publisher). */
  examined: number;
  published: number;
  failed: number;
  /** Owed events whose target sub this pass found in the target pool (and published). */
  resolved: number;
  /** Owed events whose target user's sub is still unknown: published at the user's first sign-in. */
  awaitingSub: number;
  complete: boolean;
}

/**
 * Publishes the UserMigrated events whose publisher failed or stopped: every owed event claimed
 * more than EVENT_CLAIM_GRACE_MS ago with a known target sub is taken over (a conditional write on
 * the claim read, so two reconcilers or a late inline publisher cannot both take it) and published
 * under its deterministic id; an owed event whose target sub is unknown gets it from the target
 * pool when that is safe (`resolveTargetSub`). Runs at the end of every reconcile pass.
 */
export const republishStaleEvents = async (
  deps: ReconcileDeps,
  options: { dryRun?: boolean; limit?: number; deadline?: number } = {},
): Promise<RepublishResult> => {
  const result: RepublishResult = {
    examined: 0,
    published: 0,
    failed: 0,
    resolved: 0,
    awaitingSub: 0,
    complete: false,
  };
  // What is left of the run's budget (the pass runs after the repair pass and the campaign).
  const deadline = options.deadline ?? deps.clock.now() + deps.budgetMs;
  const limit = options.limit ?? Infinity;
  const now = new Date(deps.clock.now()).toISOString();
  const stale = new Date(deps.clock.now() - EVENT_CLAIM_GRACE_MS).toISOString();
  let token: string | undefined;
  do {
    if (deps.clock.now() >= deadline || result.examined >= limit) return result;
    const page = await listStaleEventClaims(deps.table, now, {
      limit: Math.min(100, limit - result.examined),
      ...(token ? { nextToken: token } : {}),
    });
    for (const entry of page.entries) {
      result.examined += 1;
      if (options.dryRun) continue;
      // No grace here: binding is a conditional write a racing sign-in cannot lose or double.
      if (!entry.targetSub) {
        if (await resolveTargetSub(deps, entry.username)) result.resolved += 1;
        else result.awaitingSub += 1;
        continue;
      }
      // A fresh claim is its publisher's, probably still at work.
      if (entry.claimedAt >= stale) continue;
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
      resolved: result.resolved,
      awaitingSub: result.awaitingSub,
    });
  }
  return result;
};
