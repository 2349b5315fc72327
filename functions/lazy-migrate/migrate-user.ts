import { createHash } from 'node:crypto';
import type { PreSignUpTriggerEvent, UserMigrationTriggerEvent } from 'aws-lambda';
import { putLoginKeys } from '#shared/table/login-keys';
import { recordMigrated } from '#shared/table/users';
import { recordRefusal } from '#shared/table/progress';
import { migrateOnSignIn, type FollowUps } from './authentication';
import type { Deadline } from './deadline';
import type { MigrationDecision } from './decision';
import type { LazyMigrateDeps } from './deps';
import { migrateOnForgotPassword } from './forgot-password';
import { guardSignUp } from './pre-sign-up';
import { MigrationRefusedError, OPERATIONAL_REASONS } from './refusal';

export type LazyMigrateEvent = UserMigrationTriggerEvent | PreSignUpTriggerEvent;

/** A stable, non-reversible handle for a login name in logs (usernames and emails are personal data). */
const userRef = (name: string): string => createHash('sha256').update(name).digest('hex').slice(0, 16);

/** Resolves when the deadline passes, never rejects. */
const expiry = (deadline: Deadline): Promise<'expired'> =>
  new Promise((resolve) => {
    if (deadline.signal.aborted) resolve('expired');
    else deadline.signal.addEventListener('abort', () => resolve('expired'), { once: true });
  });

/**
 * The lazy-migrate Lambda: dispatches on `triggerSource`, fills in `event.response` on success,
 * and throws a MigrationRefusedError (one fixed message) on refusal. Every outcome is logged
 * once with a reason code and counted; no password, token or event is ever logged.
 */
export const handleLazyMigrate = async <E extends LazyMigrateEvent>(
  event: E,
  deps: LazyMigrateDeps,
): Promise<E> => {
  switch (event.triggerSource) {
    case 'PreSignUp_SignUp':
    case 'PreSignUp_ExternalProvider':
    case 'PreSignUp_AdminCreateUser':
      return (await guardSignUp(event, deps)) as E;
    case 'UserMigration_Authentication':
    case 'UserMigration_ForgotPassword':
      return (await migrateUser(event, deps)) as E;
    default:
      deps.logger.warn('unexpected trigger source', {
        reason: 'UNSUPPORTED_TRIGGER',
        triggerSource: (event as { triggerSource: string }).triggerSource,
      });
      return event;
  }
};

const migrateUser = async (
  event: UserMigrationTriggerEvent,
  deps: LazyMigrateDeps,
): Promise<UserMigrationTriggerEvent> => {
  const started = deps.clock.now();
  const deadline = deps.startDeadline(deps.config.triggerDeadlineMs);
  const context = { triggerSource: event.triggerSource, user: userRef(event.userName) };
  const followUps: FollowUps = [];
  // Awaited on every exit, a refusal's too (a revocation rejects only through finishWithin's catch).
  const finishFollowUps = () =>
    followUps.map((work) => finishWithin(deadline, work, deps, 'source token revocation'));
  let decision: MigrationDecision;
  try {
    const work: Promise<MigrationDecision> =
      event.triggerSource === 'UserMigration_Authentication'
        ? migrateOnSignIn(event, deps, deadline, followUps)
        : migrateOnForgotPassword(event, deps, deadline);
    work.catch(() => undefined);
    const first = await Promise.race([work, expiry(deadline)]);
    if (first === 'expired') throw new MigrationRefusedError('DEADLINE_EXCEEDED');
    decision = first;
  } catch (error) {
    const refusal =
      error instanceof MigrationRefusedError
        ? error
        : new MigrationRefusedError('INTERNAL_ERROR', (error as Error)?.name);
    const latencyMs = deps.clock.now() - started;
    const operational = OPERATIONAL_REASONS.has(refusal.reason);
    deps.logger[operational ? 'error' : 'info']('migration refused', {
      ...context,
      reason: refusal.reason,
      ...(refusal.detail ? { detail: refusal.detail } : {}),
      operational,
      latencyMs,
    });
    deps.metrics.outcome('refused', refusal.reason, latencyMs);
    await Promise.all([
      finishWithin(deadline, recordRefusal(deps.table, refusal.reason), deps, 'refusal counter'),
      ...finishFollowUps(),
    ]);
    throw refusal;
  }
  event.response = { ...event.response, ...decision.response };
  await Promise.all([
    finishWithin(deadline, record(decision, deps), deps, 'migration record'),
    ...finishFollowUps(),
  ]);
  const latencyMs = deps.clock.now() - started;
  deps.logger.info('user migrated', {
    ...context,
    reason: decision.reason,
    finalUserStatus: decision.response.finalUserStatus,
    smsMfa: decision.response.enableSMSMFA === true,
    mfaReenrolRequired: decision.mfaReenrolRequired,
    droppedAttributes: decision.dropped,
    latencyMs,
  });
  deps.metrics.outcome('migrated', decision.reason, latencyMs);
  if (decision.dropped.length > 0) deps.metrics.count('AttributesDropped');
  return event;
};

/**
 * Records the migration under the source's canonical username, bound to the target username
 * Cognito is told to use. Where Cognito generates the username, the value given for the username
 * attribute also becomes a login key of the user (it may postdate the snapshot), so group-sync
 * finds the record from the generated user's attribute.
 */
const record = async (decision: MigrationDecision, deps: LazyMigrateDeps) => {
  const { targetUsernameAttribute, targetUsername, sourceUsername } = decision;
  const legacy = deps.config.attributeMap.legacySubAttribute;
  await recordMigrated(deps.table, sourceUsername, {
    method: decision.method,
    targetUsername,
    ...(targetUsernameAttribute ? { targetUsernameAttribute } : {}),
    ...(legacy && decision.response.userAttributes?.[legacy] ? { legacySubAttribute: legacy } : {}),
    ...(decision.sourceSub ? { sub: decision.sourceSub } : {}),
    mfaReenrolRequired: decision.mfaReenrolRequired,
  });
  if (targetUsernameAttribute) {
    await putLoginKeys(deps.table, [
      { username: sourceUsername, attributes: { [targetUsernameAttribute]: targetUsername } },
    ]);
  }
};

/**
 * Waits for follow-up work (table writes, the token revocation) until the deadline at most.
 * These never fail the sign-in: a failure is logged and counted, and the reconciler catches up.
 */
const finishWithin = async (
  deadline: Deadline,
  work: Promise<unknown>,
  deps: LazyMigrateDeps,
  what: string,
) => {
  try {
    const outcome = await Promise.race([work.then(() => 'done' as const), expiry(deadline)]);
    if (outcome === 'expired') {
      deps.logger.warn(`${what} not finished within the deadline`, { reason: 'DEADLINE_EXCEEDED' });
      deps.metrics.count('FollowUpTimedOut');
    }
  } catch (error) {
    deps.logger.error(`${what} failed`, { reason: 'FOLLOW_UP_FAILED', error: (error as Error).name });
    deps.metrics.count('FollowUpFailed');
  }
};
