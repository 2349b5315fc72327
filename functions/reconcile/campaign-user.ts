import {
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminResetUserPasswordCommand,
  AdminSetUserPasswordCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { TargetSchema } from '#shared/attribute-mapping';
import { isAwsError, type AwsErrorName } from '#shared/cognito/errors';
import { publishIfDue } from '#shared/migration-events';
import { getUser, markGroupsApplied, recordMigrated, type UserRecord } from '#shared/table/users';
import { recordTargetSub, unbindTargetSub } from '#shared/table/target-sub';
import { applyGroupsToUser } from '#shared/cognito/apply-groups';
import { clearMarker, setMarker, type CampaignMarkers } from '#shared/table/campaign-markers';
import { CAMPAIGN_ELIGIBLE } from '#shared/table/status';
import { getTarget, markResetSent, needsAdmin, settle } from './campaign-status';
import { nextStep } from './campaign-step';
import type { ReconcileDeps } from './deps';
import { planUser, type CreatePlan } from './plan-user';
import { skipIfOutOfScope } from './scope-check';
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
    const created = toTargetUser(
      User?.Username ?? plan.targetUsername,
      User?.Attributes,
      User?.UserStatus,
      User?.Enabled,
    );
    // The user holds what it was created with (the legacy sub among them), whatever the answer lists.
    return { created: { ...created, attributes: { ...plan.attributes, ...created.attributes } } };
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
  schema: TargetSchema,
): Promise<UserOutcome> => {
  const fresh = await getUser(deps.table, record.username);
  if (fresh?.status === 'MIGRATED')
    return { username: record.username, outcome: 'migrated', reason: 'SIGNED_IN' };
  const existing = await getTarget(deps, targetUsername);
  if (existing && existing.status !== 'FORCE_CHANGE_PASSWORD' && isSameUser(record, existing, deps, schema)) {
    const result = await recordMigrated(deps.table, record.username, {
      method: 'reconciled',
      targetUsername: existing.username,
      sub: record.sub,
      ...(existing.attributes.sub ? { targetSub: existing.attributes.sub } : {}),
    });
    await publishIfDue(result.record, deps);
    return settle(deps, record.username);
  }
  return needsAdmin(deps, record.username, 'TARGET_USERNAME_TAKEN');
};

/**
 * AdminResetUserPassword (and AdminSetUserPassword) errors Cognito returns before it acts (throttling, limits, validation): the
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
 * Sends the reset code under the `resetRequestedAt` marker this run wrote (so a crash never leads
 * to a second code). When Cognito proves the call was not applied, the marker is removed again
 * before the error is routed or propagated: otherwise the rerun would take it for a reset that may
 * have landed and hand the user to an administrator (RESET_UNCONFIRMED) instead of retrying.
 */
const sendReset = async (
  deps: ReconcileDeps,
  username: string,
  targetUsername: string,
  marker: string,
  targetSub?: string,
) => {
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
  return markResetSent(deps, username, targetUsername, undefined, targetSub);
};

const restoreGroups = async (deps: ReconcileDeps, record: UserRecord, targetUsername: string) => {
  const { remaining } = await applyGroupsToUser(
    { username: targetUsername, groups: record.groups },
    { cognito: deps.target, table: deps.table, config: deps.config, logger: deps.logger, clock: deps.clock },
  );
  // Left unmarked, group-sync applies the rest at the user's first sign-in.
  if (remaining.length === 0) await markGroupsApplied(deps.table, record.username);
  return remaining.length === 0 ? undefined : `GROUPS_INCOMPLETE:${remaining.join(',')}`;
};

/**
 * A user recorded MIGRATED by a sign-in while the campaign's user stands in the target with no
 * code (FORCE_CHANGE_PASSWORD, or CONFIRMED by the campaign's password): the UserMigration trigger
 * records the migration before Cognito creates the user, and Cognito could not create them because
 * the campaign's AdminCreateUser got there first. The old password no longer opens anything and no
 * code is coming: removing the campaign's user lets the user's next sign-in migrate them as recorded.
 */
const yieldToSignIn = async (
  deps: ReconcileDeps,
  record: UserRecord & CampaignMarkers,
  known: TargetUser | null | undefined,
  targetUsername: string,
  schema: TargetSchema,
): Promise<UserOutcome> => {
  const signedIn = { username: record.username, outcome: 'migrated', reason: 'SIGNED_IN' } as const;
  const bySignIn = record.method === 'password' || record.method === 'forgot-password';
  if (!bySignIn || !record.createRequestedAt || record.resetRequestedAt) return signedIn;
  const target = known === undefined ? await getTarget(deps, targetUsername) : known;
  const campaigns =
    target?.status === 'FORCE_CHANGE_PASSWORD' ||
    (target?.status === 'CONFIRMED' && Boolean(record.passwordSetRequestedAt));
  if (!target || !campaigns || !isSameUser(record, target, deps, schema)) return signedIn;
  await deps.target.send(
    new AdminDeleteUserCommand({ UserPoolId: deps.config.target.userPoolId, Username: target.username }),
  );
  // A sub bound to the deleted user would hide the user Cognito creates at the next sign-in.
  if (target.attributes.sub) await unbindTargetSub(deps.table, record.username, target.attributes.sub);
  deps.logger.warn('campaign user removed for a sign-in that raced it', {
    reason: 'SIGN_IN_RACED_CREATE',
    username: record.username,
  });
  return { ...signedIn, warning: 'SIGN_IN_RACED_CREATE: sign in again' };
};

/** Steps one user may take in a run: the longest path is create, disable, password, groups, reset. */
const MAX_ROUNDS = 10;

/**
 * Moves one flagged user into the target pool and asks them to set a new password: create
 * (suppressed invitation), disable when the source user is, a random permanent password
 * (AdminResetUserPassword refuses FORCE_CHANGE_PASSWORD, and so would an administrator's later
 * reset), groups, reset, RESET_SENT. A disabled source user is created disabled with their groups
 * and sent no code: NEEDS_ADMIN (DISABLED_IN_SOURCE).
 *
 * Each round reads the record and decides the next step from its markers and the target's real
 * state (`nextStep`, whose TSDoc holds the state machine); a marker is written, conditionally,
 * before each call that must not be repeated. So a rerun after a crash at any point, or another
 * campaign working on the same user at the same time, picks the user up where it stands, never
 * sets a password after a code was sent and never sends a second code. Errors that are not about
 * this user (throttling after retries, an unreachable pool or table) propagate: the run stops.
 */
export const resetFlaggedUser = async (
  username: string,
  deps: ReconcileDeps,
  schema: TargetSchema,
  campaignId?: string,
): Promise<UserOutcome> => {
  const owner = campaignId ? { campaignId } : {};
  /** undefined: read it; null: there is none. */
  let target: TargetUser | null | undefined;
  let groupsTried = false;
  let warning: string | undefined;
  const withWarning = (outcome: UserOutcome) => (warning ? { ...outcome, warning } : outcome);

  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    const record = (await getUser(deps.table, username)) as (UserRecord & CampaignMarkers) | undefined;
    if (!record) return { username, outcome: 'skipped', reason: 'NO_RECORD' };
    if (record.status === 'MIGRATED') {
      const plan = planUser(record, schema, deps);
      const targetUsername = target?.username ?? ('targetUsername' in plan ? plan.targetUsername : username);
      return yieldToSignIn(deps, record, target, targetUsername, schema);
    }
    if (record.status !== 'FLAGGED_FOR_RESET')
      return withWarning({ username, outcome: 'skipped', reason: `ALREADY_${record.status}` });
    if (round === 0) {
      const outOfScope = await skipIfOutOfScope(record, deps);
      if (outOfScope) return outOfScope;
    }
    const plan = planUser(record, schema, deps);
    if (plan.action === 'needs-admin') return needsAdmin(deps, username, plan.reason);
    const hasMarker = Boolean(record.createRequestedAt || record.resetRequestedAt);
    // Without a marker nothing of ours is in the target; a stranger there answers UsernameExists.
    if (target === undefined)
      target = hasMarker ? ((await getTarget(deps, plan.targetUsername)) ?? null) : null;
    const step = nextStep({
      markers: record,
      target,
      plan,
      sameUser: target ? isSameUser(record, target, deps, schema) : true,
      groupsDone: groupsTried || Boolean(record.groupsApplied) || record.groups.length === 0,
      now: deps.clock.now(),
    });
    const targetUsername = target?.username ?? plan.targetUsername;
    switch (step.step) {
      case 'reset-sent':
        return withWarning(
          await markResetSent(deps, username, targetUsername, step.reason, target?.attributes.sub),
        );
      case 'needs-admin':
        return withWarning(await needsAdmin(deps, username, step.reason));
      case 'wait':
        return withWarning({ username, outcome: 'skipped', reason: 'IN_PROGRESS_ELSEWHERE' });
      case 'existing':
        return resolveExisting(deps, record, targetUsername, schema);
      case 'claim-create':
      case 'create': {
        if (step.step === 'claim-create' && !(await setMarker(deps, username, 'createRequestedAt', owner))) {
          target = undefined;
          continue;
        }
        const result = await create(deps, plan);
        if ('rejected' in result) return needsAdmin(deps, username, result.rejected);
        // AdminCreateUser names the new user's sub: the sub map's entry, bound before anything else.
        const sub = 'created' in result ? result.created.attributes.sub : undefined;
        // Only while flagged: a sign-in that raced the create owns the record (yieldToSignIn).
        if (sub) await recordTargetSub(deps.table, username, sub, { onlyIn: CAMPAIGN_ELIGIBLE });
        // Ours (another campaign's, with our marker) or not: the next round reads it and decides.
        target = 'exists' in result ? undefined : result.created;
        continue;
      }
      case 'disable':
        await deps.target.send(
          new AdminDisableUserCommand({
            UserPoolId: deps.config.target.userPoolId,
            Username: targetUsername,
          }),
        );
        target = { ...target!, enabled: false };
        continue;
      case 'claim-password': {
        const claimed = await setMarker(deps, username, 'passwordSetRequestedAt', {
          ...owner,
          unless: 'resetRequestedAt',
          ...(step.replacing ? { replacing: step.replacing } : {}),
        });
        if (!claimed) {
          target = undefined;
          continue;
        }
        try {
          await deps.target.send(
            new AdminSetUserPasswordCommand({
              UserPoolId: deps.config.target.userPoolId,
              Username: targetUsername,
              Password: deps.randomPassword(),
              Permanent: true,
            }),
          );
        } catch (error) {
          // Proven not applied (throttled, refused): release the marker so the rerun sets the
          // password at once instead of waiting MARKER_GRACE_MS for a call that never landed.
          if (isAwsError(error, ...RESET_NOT_APPLIED)) {
            await clearMarker(deps, username, 'passwordSetRequestedAt', claimed).catch(() => false);
          }
          throw error;
        }
        target = { ...target!, status: 'CONFIRMED' };
        continue;
      }
      case 'groups':
        groupsTried = true;
        warning = await restoreGroups(deps, record, targetUsername);
        continue;
      case 'claim-reset': {
        const marker = await setMarker(deps, username, 'resetRequestedAt', owner);
        if (!marker) {
          target = undefined;
          continue;
        }
        return withWarning(await sendReset(deps, username, targetUsername, marker, target?.attributes.sub));
      }
    }
  }
  return settle(deps, username);
};
