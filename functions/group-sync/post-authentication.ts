import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { PostAuthenticationTriggerEvent } from 'aws-lambda';
import { z } from 'zod';
import type { MigrationConfig } from '#shared/config';
import { DeadlineExceededError, InvalidInputError } from '#shared/errors';
import { getUser, markGroupsApplied } from '#shared/table/users';
import {
  applyGroupsToUser,
  TargetUserNotFoundError,
  type ApplyGroupsDeps,
} from '#shared/cognito/apply-groups';
import { bindAndPublish } from './bind-target';
import { findUserRecord } from './find-record';
import { hasReenrolledMfa, needsMfaCheck } from './mfa-gate';

export interface PostAuthenticationDeps extends ApplyGroupsDeps {
  config: MigrationConfig;
  lambda: LambdaClient;
  /** This function's name, for the asynchronous continuation. */
  functionName: string;
  /** Publishes the user's UserMigrated event when this sign-in binds the target sub. */
  events?: EventBridgeClient;
}

/** Left of the trigger deadline for handing the rest on (one Lambda Invoke) after the inline work. */
export const HANDOFF_RESERVE_MS = 500;
/** Continuations in a row before giving up on a user (then the reconciler or the next sign-in retries). */
export const MAX_HOPS = 5;

/** The asynchronous continuation's event: finish applying a user's groups. */
export const applyGroupsEventSchema = z.object({
  kind: z.literal('apply-groups'),
  /** The source username: the migration record's key. */
  username: z.string().min(1),
  /** The user's name in the target pool. @default the record's targetUsername, else username */
  targetUsername: z.string().min(1).optional(),
  /** The groups still to apply. @default every group of the record */
  groups: z.array(z.string().min(1)).optional(),
  hop: z.number().int().min(0).default(0),
});
export type ApplyGroupsEvent = z.input<typeof applyGroupsEventSchema>;

export type ApplyOutcome = 'applied' | 'already-applied' | 'handed-off' | 'gave-up' | 'not-applicable';

interface Work {
  username: string;
  targetUsername: string;
  groups: readonly string[];
  hop: number;
}

/**
 * Applies what fits before the deadline; marks the record once everything is applied (the
 * conditional write makes that exactly once), otherwise hands the rest to an asynchronous
 * invocation of this function.
 */
const applyAndHandOff = async (
  work: Work,
  deps: PostAuthenticationDeps,
  deadlineMs: number,
): Promise<ApplyOutcome> => {
  const { applied, remaining } = await applyGroupsToUser(
    { username: work.targetUsername, groups: work.groups },
    deps,
    { deadlineMs: Math.max(0, deadlineMs) },
  );
  if (remaining.length === 0) {
    const marked = await markGroupsApplied(deps.table, work.username);
    deps.logger.info('groups applied', {
      reason: marked ? 'groups-applied' : 'already-marked',
      appliedCount: applied.length,
      hop: work.hop,
    });
    return marked ? 'applied' : 'already-applied';
  }
  if (work.hop >= MAX_HOPS) {
    deps.logger.error('groups not fully applied; giving up until the next sign-in or reconcile', {
      reason: 'hops-exhausted',
      remainingCount: remaining.length,
    });
    // Thrown, not returned: Lambda's async retries get another try, then the event lands in the
    // on-failure destination, where an operator (and an alarm) can see the drop.
    throw new DeadlineExceededError(
      `Groups of one user not fully applied after ${MAX_HOPS} continuations (${remaining.length} left); ` +
        'the next sign-in or the reconciler applies them',
    );
  }
  const payload: ApplyGroupsEvent = {
    kind: 'apply-groups',
    username: work.username,
    targetUsername: work.targetUsername,
    groups: remaining,
    hop: work.hop + 1,
  };
  await deps.lambda.send(
    new InvokeCommand({
      FunctionName: deps.functionName,
      InvocationType: 'Event',
      Payload: Buffer.from(JSON.stringify(payload)),
    }),
  );
  deps.logger.info('groups partly applied; rest handed to async continuation', {
    reason: 'handed-off',
    appliedCount: applied.length,
    remainingCount: remaining.length,
    hop: work.hop,
  });
  return 'handed-off';
};

/**
 * PostAuthentication_Authentication: for a migrated user whose groups are not applied yet, adds
 * them in the target pool within the trigger's deadline and finishes the rest asynchronously.
 * Later sign-ins find the record marked and do nothing, so an administrator's removal sticks.
 * Never fails the sign-in: a failure is logged and the next sign-in tries again.
 */
export const handlePostAuthentication = async (
  event: PostAuthenticationTriggerEvent,
  deps: PostAuthenticationDeps,
): Promise<PostAuthenticationTriggerEvent> => {
  const deadlineAt = deps.clock.now() + deps.config.triggerDeadlineMs - HANDOFF_RESERVE_MS;
  try {
    const record = await findUserRecord(deps.table, {
      targetUsername: event.userName,
      userAttributes: event.request.userAttributes,
    });
    if (!record || record.status !== 'MIGRATED') return event;
    // Before anything else (groups, MFA), the record is bound to the sub of the user the migration
    // created: the sub map's entry, and the binding group-sync finds the record by from now on.
    if (!(await bindAndPublish(record, event.request.userAttributes.sub, deps))) return event;
    if (record.groupsApplied) return event;
    if (needsMfaCheck(record) && !(await hasReenrolledMfa(record, event.userName, deps))) {
      deps.logger.info('groups not applied until MFA is set up again', {
        reason: 'mfa-reenrolment-required',
      });
      return event;
    }
    const work = { username: record.username, targetUsername: event.userName, groups: record.groups, hop: 0 };
    await applyAndHandOff(work, deps, deadlineAt - deps.clock.now());
  } catch (error) {
    deps.logger.error('group sync failed; sign-in continues', {
      reason: 'group-sync-failed',
      error: error instanceof Error ? error.name : String(error),
    });
  }
  return event;
};

/**
 * The asynchronous continuation (`{ kind: 'apply-groups', username }`). Does nothing for a
 * record already marked. Throws on table or pool failures so Lambda's async retries apply;
 * a user missing from the target is logged and dropped (retrying cannot help).
 */
export const handleApplyGroupsEvent = async (
  raw: unknown,
  deps: PostAuthenticationDeps,
  options: { deadlineMs: number },
): Promise<ApplyOutcome> => {
  const parsed = applyGroupsEventSchema.safeParse(raw);
  if (!parsed.success) {
    throw new InvalidInputError(
      `Invalid apply-groups event: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
    );
  }
  const event = parsed.data;
  const record = await getUser(deps.table, event.username);
  if (!record || record.status !== 'MIGRATED') return 'not-applicable';
  if (record.groupsApplied) return 'already-applied';
  const work = {
    username: record.username,
    targetUsername: event.targetUsername ?? record.targetUsername ?? record.username,
    groups: event.groups ?? record.groups,
    hop: event.hop,
  };
  try {
    return await applyAndHandOff(work, deps, options.deadlineMs);
  } catch (error) {
    if (!(error instanceof TargetUserNotFoundError)) throw error;
    deps.logger.error('user missing from target pool; groups not applied', { reason: 'target-user-missing' });
    return 'not-applicable';
  }
};
