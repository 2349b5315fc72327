import {
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminResetUserPasswordCommand,
  AdminSetUserPasswordCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { TargetSchema } from '#shared/attribute-mapping';
import { isAwsError, type AwsErrorName } from '#shared/cognito/errors';
import { getUser, markGroupsApplied, recordMigrated, type UserRecord } from '#shared/table/users';
import { applyGroupsToUser } from '#shared/cognito/apply-groups';
import { clearMarker, setMarker, type CampaignMarkers } from '#shared/table/campaign-markers';
import { getTarget, markResetSent, needsAdmin, settle } from './campaign-status';
import type { ReconcileDeps } from './deps';
import { DISABLED_IN_SOURCE, planUser, type CreatePlan } from './plan-user';
import type { UserOutcome } from './report';
import { isSameUser, toTargetUser, type TargetUser } from './target-match';

/** Cognito errors that are about this user's data: an operator must look, the campaign moves on. */
const USER_ERRORS: AwsErrorName[] = [
  'InvalidParameterException',
  'AliasExistsException',
  'UserLambdaValidationException',
];

type Created = { created: TargetUser } | { exists: true } | { rejected: string };

const create = async (deps: ReconcileDeps, plan: CreatePlan): Promise<Created> => {
  try {
    const { User } = await deps.target.send(
      new AdminCreateUserCommand({
        UserPoolId: deps.config.target.userPoolId,
        Username: plan.targetUsername,
        // The user must not get an invitation with a temporary password: the reset code is the way in.
        MessageAction: 'SUPPRESS',
        UserAttributes: Object.entries(plan.attributes).map(([Name, Value]) => ({ Name, Value })),
        // Lets the PreSignUp guard tell the campaign's own creation from a stranger's sign-up.
        ClientMetadata: { source: 'cognito-migrate:reset-campaign' },
      }),
    );
    return {
      created: toTargetUser(
        User?.Username ?? plan.targetUsername,
        User?.Attributes,
        User?.UserStatus,
        User?.Enabled,
      ),
    };
  } catch (error) {
    if (isAwsError(error, 'UsernameExistsException')) return { exists: true };
    const name = USER_ERRORS.find((n) => isAwsError(error, n));
    if (name) return { rejected: `CREATE_REJECTED:${name}` };
    throw error;
  }
};

/** The target username is taken, and not by this campaign: a sign-in nobody recorded, or a stranger. */
const resolveExisting = async (
  deps: ReconcileDeps,
  record: UserRecord,
  targetUsername: string,
): Promise<UserOutcome> => {
  const fresh = await getUser(deps.table, record.username);
  if (fresh?.status === 'MIGRATED')
    return { username: record.username, outcome: 'migrated', reason: 'SIGNED_IN' };
  const existing = await getTarget(deps, targetUsername);
  if (existing && existing.status !== 'FORCE_CHANGE_PASSWORD' && isSameUser(record, existing, deps)) {
    await recordMigrated(deps.table, record.username, {
      method: 'reconciled',
      targetUsername: existing.username,
      sub: record.sub,
    });
    return settle(deps, record.username);
  }
  return needsAdmin(deps, record.username, 'TARGET_USERNAME_TAKEN');
};

/**
 * A previous run wrote `resetRequestedAt` and stopped before RESET_SENT. AdminResetUserPassword
 * puts the user in RESET_REQUIRED, so that status proves the call landed; anything else is
 * ambiguous (the call never landed, or the user already completed the reset), and calling it
 * again could send a second code, so an operator decides.
 */
const resumeAfterReset = async (
  deps: ReconcileDeps,
  record: UserRecord,
  targetUsername: string,
): Promise<UserOutcome> => {
  const target = await getTarget(deps, targetUsername);
  if (target?.status !== 'RESET_REQUIRED') return needsAdmin(deps, record.username, 'RESET_UNCONFIRMED');
  return markResetSent(deps, record.username, target.username, 'RESUMED');
};

/**
 * AdminResetUserPassword errors Cognito returns before it acts (throttling, limits, validation): the
 * user was not reset and no code went out. Anything else (a timeout, a 5xx, a dropped connection,
 * a messaging or Lambda failure) leaves it unknown whether a code was sent.
 */
const RESET_NOT_APPLIED: AwsErrorName[] = [
  'TooManyRequestsException',
  'LimitExceededException',
  'InvalidParameterException',
  'NotAuthorizedException',
  'UserNotFoundException',
  'ResourceNotFoundException',
];

/**
 * Sends the reset code, guarded by the `resetRequestedAt` marker so a crash never leads to a second
 * code. When Cognito proves the call was not applied, the marker is removed again before the error
 * is routed or propagated: otherwise the rerun would take it for a reset that may have landed and
 * hand the user to an administrator (RESET_UNCONFIRMED) instead of retrying.
 */
const sendReset = async (deps: ReconcileDeps, username: string, targetUsername: string) => {
  const marker = await setMarker(deps, username, 'resetRequestedAt');
  if (!marker) return settle(deps, username);
  try {
    await deps.target.send(
      new AdminResetUserPasswordCommand({
        UserPoolId: deps.config.target.userPoolId,
        Username: targetUsername,
      }),
    );
  } catch (error) {
    if (!isAwsError(error, ...RESET_NOT_APPLIED)) throw error;
    await clearMarker(deps, username, 'resetRequestedAt', marker).catch((clearError: unknown) => {
      // Left in place, the marker only costs this user a trip to an administrator (RESET_UNCONFIRMED).
      deps.logger.warn('reset marker not cleared', {
        reason: 'marker-kept',
        username,
        error: (clearError as Error).name,
      });
    });
    if (isAwsError(error, 'InvalidParameterException'))
      return needsAdmin(deps, username, 'NO_VERIFIED_CONTACT');
    if (isAwsError(error, 'NotAuthorizedException')) return needsAdmin(deps, username, 'RESET_REFUSED');
    throw error;
  }
  return markResetSent(deps, username, targetUsername);
};

/**
 * Makes a created user what the plan asks: disabled first if the source user is (never usable in
 * the target, not even for a moment it can be avoided), out of FORCE_CHANGE_PASSWORD with a random
 * password (AdminResetUserPassword refuses a FORCE_CHANGE_PASSWORD user, and so would an
 * administrator's later reset), groups restored. Returns a warning when groups remain.
 */
const prepareTarget = async (
  deps: ReconcileDeps,
  record: UserRecord,
  plan: CreatePlan,
  target: TargetUser,
): Promise<string | undefined> => {
  const targetPool = deps.config.target.userPoolId;
  if (plan.action === 'create-disabled' && target.enabled !== false) {
    await deps.target.send(
      new AdminDisableUserCommand({ UserPoolId: targetPool, Username: target.username }),
    );
  }
  if (target.status === 'FORCE_CHANGE_PASSWORD') {
    await deps.target.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: targetPool,
        Username: target.username,
        Password: deps.randomPassword(),
        Permanent: true,
      }),
    );
  }
  if (record.groupsApplied || record.groups.length === 0) return undefined;
  const { remaining } = await applyGroupsToUser(
    { username: target.username, groups: record.groups },
    { cognito: deps.target, table: deps.table, config: deps.config, logger: deps.logger, clock: deps.clock },
  );
  // Left unmarked, group-sync applies the rest at the user's first sign-in.
  if (remaining.length === 0) await markGroupsApplied(deps.table, record.username);
  return remaining.length === 0 ? undefined : `GROUPS_INCOMPLETE:${remaining.join(',')}`;
};

/**
 * Moves one flagged user into the target pool and asks them to set a new password: create
 * (suppressed invitation), prepare (see `prepareTarget`), reset, RESET_SENT. A disabled source
 * user is created disabled with their groups and sent no code: NEEDS_ADMIN (DISABLED_IN_SOURCE),
 * an administrator decides whether to enable and reset them. Markers written before the create
 * and the reset make a rerun after a crash pick up the user where it stopped and never send a
 * second code. Errors that are not about this user (throttling after retries, an unreachable pool
 * or table) propagate: the run stops.
 */
export const resetFlaggedUser = async (
  username: string,
  deps: ReconcileDeps,
  schema: TargetSchema,
): Promise<UserOutcome> => {
  const record = (await getUser(deps.table, username)) as (UserRecord & CampaignMarkers) | undefined;
  if (!record) return { username, outcome: 'skipped', reason: 'NO_RECORD' };
  if (record.status === 'MIGRATED') return { username, outcome: 'migrated', reason: 'SIGNED_IN' };
  if (record.status !== 'FLAGGED_FOR_RESET')
    return { username, outcome: 'skipped', reason: `ALREADY_${record.status}` };
  const plan = planUser(record, schema, deps);
  if (plan.action === 'needs-admin') return needsAdmin(deps, username, plan.reason);
  if (record.resetRequestedAt) return resumeAfterReset(deps, record, plan.targetUsername);

  let target = record.createRequestedAt ? await getTarget(deps, plan.targetUsername) : undefined;
  if (!target) {
    const resumed = Boolean(record.createRequestedAt);
    if (!resumed && !(await setMarker(deps, username, 'createRequestedAt'))) return settle(deps, username);
    const result = await create(deps, plan);
    if ('rejected' in result) return needsAdmin(deps, username, result.rejected);
    if ('exists' in result) return resolveExisting(deps, record, plan.targetUsername);
    target = result.created;
  }
  const warning = await prepareTarget(deps, record, plan, target);
  const outcome =
    plan.action === 'create-disabled'
      ? await needsAdmin(deps, username, DISABLED_IN_SOURCE)
      : await sendReset(deps, username, target.username);
  return warning ? { ...outcome, warning } : outcome;
};
