import {
  AdminGetUserCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import type { MigrationConfig } from '#shared/config';
import type { AppLogger } from '#shared/logger';
import type { TableContext } from '#shared/table/context';
import { markMfaReenrolled, type UserRecord } from '#shared/table/users';

/**
 * The ID-token claim a migrated user carries while their second factor is not set up again.
 * An app must not treat such a session as signed in: it may only use the access token to enrol
 * (AssociateSoftwareToken, VerifySoftwareToken, SetUserMFAPreference) and then sign in again.
 */
export const MFA_ENROLMENT_CLAIM = 'mfa_enrolment_required';

export interface MfaGateDeps {
  /** The target pool (AdminGetUser, UserRead quota), rate limited by the caller. */
  cognito: CognitoIdentityProviderClient;
  table: TableContext;
  config: Pick<MigrationConfig, 'target' | 'triggerDeadlineMs'>;
  logger: AppLogger;
}

/** True while a migrated user whose factor could not move (TOTP, email OTP) has none in the target. */
export const needsMfaCheck = (record: UserRecord): boolean =>
  record.status === 'MIGRATED' && record.mfaReenrolRequired === true && !record.mfaReenrolledAt;

/**
 * Whether the user has a second factor in the target pool again. One AdminGetUser on the target,
 * only for users flagged `mfaReenrolRequired` until the first time it answers yes (then the record
 * is marked and no call is made again). Fails closed: a failed call counts as "not enrolled", so
 * a throttled or slow target withholds groups for one token rather than handing them out.
 */
export const hasReenrolledMfa = async (
  record: UserRecord,
  targetUsername: string,
  deps: MfaGateDeps,
): Promise<boolean> => {
  try {
    // Within the trigger's internal deadline: a slow target withholds groups, never fails sign-in.
    const user = await deps.cognito.send(
      new AdminGetUserCommand({ UserPoolId: deps.config.target.userPoolId, Username: targetUsername }),
      { abortSignal: AbortSignal.timeout(deps.config.triggerDeadlineMs) },
    );
    if ((user.UserMFASettingList ?? []).length === 0) return false;
  } catch (error) {
    deps.logger.warn('MFA enrolment not checked; treated as not enrolled', {
      reason: 'mfa-check-failed',
      error: error instanceof Error ? error.name : String(error),
    });
    return false;
  }
  await markMfaReenrolled(deps.table, record.username).catch(() => undefined);
  return true;
};
