import type { PreTokenGenerationTriggerEvent } from 'aws-lambda';
import type { AppLogger } from '#shared/logger';
import type { Clock } from '#shared/clock';
import type { MigrationConfig } from '#shared/config';
import type { TableContext } from '#shared/table/context';
import { findUserRecord } from './find-record';

export interface PreTokenGenerationDeps {
  table: TableContext;
  config: Pick<MigrationConfig, 'attributeMap'>;
  logger: AppLogger;
  clock: Clock;
}

/**
 * How long after groups were marked applied a token still carries the snapshot's groups. Which
 * of PostAuthentication and PreTokenGeneration Cognito calls first, and whether the token sees
 * groups PostAuthentication just added, is not documented; this grace covers one sign-in
 * (Cognito's 5 s per trigger, three attempts) so the first token is right either way. An
 * administrator's removal is never undone by it: only that window's tokens show the group.
 */
export const TOKEN_GRACE_MS = 15_000;

const applied = (record: { groupsApplied?: boolean; groupsAppliedAt?: string }, now: number): boolean => {
  if (!record.groupsApplied) return false;
  const at = record.groupsAppliedAt ? Date.parse(record.groupsAppliedAt) : NaN;
  return !(now - at < TOKEN_GRACE_MS);
};

/**
 * PreTokenGeneration (V1 event, any TokenGeneration_* source): for a migrated user whose groups
 * are not applied yet, the ID token's groups become the user's current groups plus the source
 * snapshot's, so the very first token already authorises like the source pool did. Everyone
 * else gets the event back untouched after one GetItem; Cognito is never called. A table
 * failure leaves the token untouched rather than failing the sign-in.
 */
export const handlePreTokenGeneration = async (
  event: PreTokenGenerationTriggerEvent,
  deps: PreTokenGenerationDeps,
): Promise<PreTokenGenerationTriggerEvent> => {
  let record;
  try {
    record = await findUserRecord(deps.table, {
      targetUsername: event.userName,
      userAttributes: event.request.userAttributes,
      legacySubAttribute: deps.config.attributeMap.legacySubAttribute,
    });
  } catch (error) {
    deps.logger.error('group override skipped: migration table unreadable', {
      reason: 'table-unavailable',
      error: error instanceof Error ? error.name : String(error),
    });
    return event;
  }
  if (!record || record.status !== 'MIGRATED' || record.groups.length === 0) return event;
  if (applied(record as { groupsApplied?: boolean; groupsAppliedAt?: string }, deps.clock.now()))
    return event;

  const current = event.request.groupConfiguration ?? {};
  const groups = [...new Set([...(current.groupsToOverride ?? []), ...record.groups])];
  event.response = {
    ...event.response,
    claimsOverrideDetails: {
      ...(event.response?.claimsOverrideDetails ?? {}),
      // Roles are passed through: the snapshot groups' mapped roles reach tokens once applied.
      groupOverrideDetails: {
        groupsToOverride: groups,
        iamRolesToOverride: current.iamRolesToOverride ?? [],
        ...(current.preferredRole ? { preferredRole: current.preferredRole } : {}),
      },
    },
  };
  deps.logger.info('token groups overridden from snapshot', {
    reason: 'groups-not-yet-applied',
    triggerSource: event.triggerSource,
    groupCount: groups.length,
  });
  return event;
};
