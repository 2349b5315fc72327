import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { MigrationConfig } from '#shared/config';
import type { AppLogger } from '#shared/logger';
import { publishIfDue } from '#shared/migration-events';
import type { TableContext } from '#shared/table/context';
import { recordTargetSub } from '#shared/table/target-sub';
import type { UserRecord } from '#shared/table/users';

export interface BindDeps {
  table: TableContext;
  config: Pick<MigrationConfig, 'eventBusName' | 'triggerDeadlineMs'>;
  logger: AppLogger;
  events?: EventBridgeClient;
}

/**
 * Binds a migrated record (found through `findUserRecord`, so this target user is the one the
 * migration created) to the target user's `sub` the first time either trigger sees it, and, when
 * that binding is what made the user's UserMigrated event publishable, publishes it — once: both
 * triggers of one sign-in, Cognito's retries and concurrent sign-ins race on one conditional write.
 * Returns false when the record is bound to another sub (the caller then leaves the user alone).
 */
export const bindAndPublish = async (
  record: UserRecord,
  sub: string | undefined,
  deps: BindDeps,
): Promise<boolean> => {
  if (record.targetSub || !sub) return true;
  const { bound, due } = await recordTargetSub(deps.table, record.username, sub);
  // Within the trigger's deadline: a slow EventBridge leaves the event to the reconciler.
  if (due) await publishIfDue(due, deps, { timeoutMs: deps.config.triggerDeadlineMs });
  return bound;
};
