import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { PreTokenGenerationTriggerEvent } from 'aws-lambda';
import type { MigrationConfig } from '#shared/config';
import type { Clock } from '#shared/clock';
import type { UserRecord } from '#shared/table/users';
import { bindAndPublish } from './bind-target';
import { findUserRecord } from './find-record';
import { hasReenrolledMfa, MFA_ENROLMENT_CLAIM, needsMfaCheck, type MfaGateDeps } from './mfa-gate';

export interface PreTokenGenerationDeps extends MfaGateDeps {
  clock: Clock;
  config: Pick<MigrationConfig, 'target' | 'triggerDeadlineMs' | 'eventBusName'>;
  /** Publishes the user's UserMigrated event when this token binds the target sub. */
  events?: EventBridgeClient;
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
  let record: UserRecord | undefined;
  try {
    record = await findUserRecord(deps.table, {
      targetUsername: event.userName,
      userAttributes: event.request.userAttributes,
    });
  } catch (error) {
    deps.logger.error('group override skipped: migration table unreadable', {
      reason: 'table-unavailable',
      error: error instanceof Error ? error.name : String(error),
    });
    return event;
  }
  if (record?.status === 'MIGRATED') {
    // Whichever trigger of the first sign-in runs first records the target sub (the sub map); a
    // failure here is PostAuthentication's or the next sign-in's to repeat, never the token's.
    await bindAndPublish(record, event.request.userAttributes.sub, deps).catch((error: unknown) => {
      deps.logger.warn('target sub not recorded', {
        reason: 'bind-failed',
        error: error instanceof Error ? error.name : String(error),
      });
    });
  }
  if (record && needsMfaCheck(record) && !(await hasReenrolledMfa(record, event.userName, deps))) {
    return withholdUntilEnrolled(event, deps);
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

/**
 * A migrated user whose TOTP or email-OTP factor could not move holds a password-only session:
 * the ID token carries no group at all and `mfa_enrolment_required: "true"`, so no group-based
 * authorisation passes and the app knows to send the user to enrolment (see the README).
 */
const withholdUntilEnrolled = (
  event: PreTokenGenerationTriggerEvent,
  deps: PreTokenGenerationDeps,
): PreTokenGenerationTriggerEvent => {
  const details = event.response?.claimsOverrideDetails ?? {};
  event.response = {
    ...event.response,
    claimsOverrideDetails: {
      ...details,
      claimsToAddOrOverride: { ...details.claimsToAddOrOverride, [MFA_ENROLMENT_CLAIM]: 'true' },
      groupOverrideDetails: { groupsToOverride: [], iamRolesToOverride: [] },
    },
  };
  deps.logger.info('token groups withheld until MFA is set up again', {
    reason: 'mfa-reenrolment-required',
    triggerSource: event.triggerSource,
  });
  return event;
};
