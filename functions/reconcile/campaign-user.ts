import {
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminGetUserCommand,
  AdminResetUserPasswordCommand,
  AdminSetUserPasswordCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mapSourceAttributes, type TargetSchema } from '#shared/attribute-mapping';
import { isAwsError } from '#shared/errors';
import { userKey } from '#shared/table-context';
import {
  getUser,
  markGroupsApplied,
  recordMigrated,
  transitionStatus,
  type UserRecord,
} from '#shared/user-repository';
import { applyGroupsToUser } from '../group-sync/apply-groups';
import type { ReconcileDeps } from './deps';
import type { CampaignSample, UserOutcome } from './report';
import { isSameUser, toTargetUser, type CampaignMarkers, type TargetUser } from './target-match';

/** What the campaign will do with a flagged user, decided from the snapshot alone. */
export type CampaignPlan =
  | { action: 'needs-admin'; reason: string }
  | { action: 'reset'; targetUsername: string; attributes: Record<string, string>; disable: boolean };

const verified = (attributes: Record<string, string>, name: string): boolean =>
  Boolean(attributes[name]) && attributes[`${name}_verified`] === 'true';

/**
 * Plans a user from the snapshot, attributes mapped exactly as the trigger maps them. A reset
 * code goes only to a verified email or phone (AdminResetUserPassword sends nothing otherwise),
 * so a user with neither needs a person, not a campaign.
 */
export const planUser = (
  record: UserRecord,
  schema: TargetSchema,
  deps: Pick<ReconcileDeps, 'config'>,
): CampaignPlan => {
  if (!record.enabled && deps.config.disabledUsers === 'skip') {
    return { action: 'needs-admin', reason: 'SOURCE_USER_DISABLED' };
  }
  const { attributes, missingRequired } = mapSourceAttributes(
    record.attributes,
    schema,
    deps.config.attributeMap,
  );
  if (missingRequired.length > 0) {
    return { action: 'needs-admin', reason: `MISSING_REQUIRED_ATTRIBUTES:${missingRequired.join(',')}` };
  }
  if (!verified(attributes, 'email') && !verified(attributes, 'phone_number')) {
    return { action: 'needs-admin', reason: 'NO_VERIFIED_CONTACT' };
  }
  // An email- or phone-as-username pool takes that value as the username.
  const byAttribute = schema.usernameAttributes.map((name) => attributes[name]).find(Boolean);
  return {
    action: 'reset',
    targetUsername: schema.usernameAttributes.length > 0 && byAttribute ? byAttribute : record.username,
    attributes,
    disable: !record.enabled,
  };
};

/** A dry run's view of a plan. */
export const sampleOf = (record: UserRecord, plan: CampaignPlan): CampaignSample =>
  plan.action === 'reset'
    ? {
        username: record.username,
        outcome: 'would-reset',
        targetUsername: plan.targetUsername,
        attributeNames: Object.keys(plan.attributes).sort(),
        groups: record.groups,
        disabled: plan.disable,
      }
    : { username: record.username, outcome: 'needs-admin', reason: plan.reason };

/**
 * Writes a campaign marker before a call that must not be repeated, on condition that the user is
 * still FLAGGED_FOR_RESET and the marker is new. False means a sign-in or another run got there first.
 */
const setMarker = async (
  deps: ReconcileDeps,
  username: string,
  marker: keyof CampaignMarkers,
): Promise<boolean> => {
  try {
    await deps.table.doc.send(
      new UpdateCommand({
        TableName: deps.table.tableName,
        Key: userKey(username),
        UpdateExpression: 'SET #m = :now',
        ConditionExpression: '#status = :flagged AND attribute_not_exists(#m)',
        ExpressionAttributeNames: { '#m': marker, '#status': 'status' },
        ExpressionAttributeValues: {
          ':now': new Date(deps.clock.now()).toISOString(),
          ':flagged': 'FLAGGED_FOR_RESET',
        },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
};

/** Where a user stands after someone else changed the record under us. */
const settle = async (deps: ReconcileDeps, username: string): Promise<UserOutcome> => {
  const status = (await getUser(deps.table, username))?.status;
  if (status === 'MIGRATED') return { username, outcome: 'migrated', reason: 'SIGNED_IN' };
  return {
    username,
    outcome: 'skipped',
    reason: status === 'FLAGGED_FOR_RESET' ? 'IN_PROGRESS_ELSEWHERE' : `ALREADY_${status}`,
  };
};

const needsAdmin = async (deps: ReconcileDeps, username: string, reason: string): Promise<UserOutcome> => {
  const { changed } = await transitionStatus(deps.table, username, {
    from: ['FLAGGED_FOR_RESET'],
    to: 'NEEDS_ADMIN',
    reason,
  });
  if (!changed) return settle(deps, username);
  deps.logger.warn('user needs an administrator', { reason, username });
  return { username, outcome: 'needs-admin', reason };
};

const getTarget = async (deps: ReconcileDeps, username: string): Promise<TargetUser | undefined> => {
  try {
    const user = await deps.target.send(
      new AdminGetUserCommand({ UserPoolId: deps.config.target.userPoolId, Username: username }),
    );
    return toTargetUser(user.Username, user.UserAttributes, user.UserStatus, user.Enabled);
  } catch (error) {
    if (isAwsError(error, 'UserNotFoundException')) return undefined;
    throw error;
  }
};

/** Cognito errors that are about this user's data: an operator must look, the campaign moves on. */
const USER_ERRORS = ['InvalidParameterException', 'AliasExistsException', 'UserLambdaValidationException'];

type Created = { created: TargetUser } | { exists: true } | { rejected: string };

const create = async (
  deps: ReconcileDeps,
  plan: Extract<CampaignPlan, { action: 'reset' }>,
): Promise<Created> => {
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

const markResetSent = async (
  deps: ReconcileDeps,
  username: string,
  targetUsername: string,
  reason?: string,
) => {
  const { changed } = await transitionStatus(deps.table, username, {
    from: ['FLAGGED_FOR_RESET'],
    to: 'RESET_SENT',
    set: { method: 'reset-campaign', targetUsername, resetSentAt: new Date(deps.clock.now()).toISOString() },
  });
  if (!changed) return settle(deps, username);
  return { username, outcome: 'reset-sent' as const, ...(reason ? { reason } : {}) };
};

/**
 * Moves one flagged user into the target pool and asks them to set a new password: create
 * (suppressed invitation), disable if the source user is, leave FORCE_CHANGE_PASSWORD with a
 * random password (AdminResetUserPassword refuses a FORCE_CHANGE_PASSWORD user), restore groups,
 * reset, RESET_SENT. Markers written before the create and the reset make a rerun after a crash
 * pick up the user where it stopped and never send a second code. Errors that are not about this
 * user (throttling after retries, an unreachable pool or table) propagate: the run stops.
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
  const targetPool = deps.config.target.userPoolId;
  // Disabled before anything else happens to it: a disabled source user is never usable in the target.
  if (plan.disable && target.enabled !== false) {
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
  let warning: string | undefined;
  if (!record.groupsApplied && record.groups.length > 0) {
    const { remaining } = await applyGroupsToUser(
      { username: target.username, groups: record.groups },
      {
        cognito: deps.target,
        table: deps.table,
        config: deps.config,
        logger: deps.logger,
        clock: deps.clock,
      },
    );
    // Left unmarked, group-sync applies the rest at the user's first sign-in.
    if (remaining.length === 0) await markGroupsApplied(deps.table, username);
    else warning = `GROUPS_INCOMPLETE:${remaining.join(',')}`;
  }
  if (!(await setMarker(deps, username, 'resetRequestedAt'))) return settle(deps, username);
  try {
    await deps.target.send(
      new AdminResetUserPasswordCommand({ UserPoolId: targetPool, Username: target.username }),
    );
  } catch (error) {
    if (isAwsError(error, 'InvalidParameterException'))
      return needsAdmin(deps, username, 'NO_VERIFIED_CONTACT');
    if (isAwsError(error, 'NotAuthorizedException')) return needsAdmin(deps, username, 'RESET_REFUSED');
    throw error;
  }
  const outcome = await markResetSent(deps, username, target.username);
  return warning ? { ...outcome, warning } : outcome;
};
