/**
 * Every Cognito operation the project sends or the emulator (`local/cognito`) serves, keyed by
 * the SDK's command name without `Command`: the quota category AWS meters it under and the IAM
 * action that authorises it. Three readers, so an operation missing here fails loudly instead of
 * passing silently:
 * - the rate limiter (`../rate-limiter.ts`) throws for an operation not listed;
 * - the emulator's meter (`local/cognito/quotas.ts`), and a test that every operation the
 *   emulator serves is listed;
 * - the permissions test (`test/infra/permissions.test.ts`), which derives the IAM actions a
 *   function needs from the commands its code sends.
 *
 * Adding a Cognito call: its row here (if new) and the call site.
 */
import type * as Sdk from '@aws-sdk/client-cognito-identity-provider';
import { MigrationError } from '../errors';
import type { QuotaCategory } from '../quotas';

/** An operation of the Cognito user pools API, as the SDK names its command (`ListUsersCommand` → `ListUsers`). */
export type CognitoOperationName = {
  [K in keyof typeof Sdk]: K extends `${infer Operation}Command` ? Operation : never;
}[keyof typeof Sdk];

export interface CognitoOperation {
  /**
   * The quota category the migrator's limiter and the emulator's meter spend, or why neither
   * meters the operation.
   */
  quota: QuotaCategory | { unmetered: string };
  /** The IAM action a caller's policy must allow; null where IAM does not authorise the call. */
  iamAction: `cognito-idp:${CognitoOperationName}` | null;
}

/** Called only with a user's access token or an app client id: Cognito evaluates no IAM policy. */
const NOT_IAM = null;
/** Pool and app-client administration (CDK, the local stack, tests): not rate-limited by the migrator. */
const POOL_ADMIN = { unmetered: 'pool administration, run once at setup; no migrator caller shares it' };
/** User self-service the migrator never sends; only applications and tests call it on the emulator. */
const SELF_SERVICE = { unmetered: 'user self-service by applications; the migrator never sends it' };
/** User administration the migrator never sends; only tests call it on the emulator. */
const UNUSED_ADMIN = { unmetered: 'user administration the migrator never sends' };

const row = (
  name: CognitoOperationName,
  quota: CognitoOperation['quota'],
  iam: 'iam' | 'no-iam' = 'iam',
): [CognitoOperationName, CognitoOperation] => [
  name,
  { quota, iamAction: iam === 'iam' ? `cognito-idp:${name}` : NOT_IAM },
];

/** The operations table. Categories follow ARCHITECTURE.md's quota list. */
export const COGNITO_OPERATIONS: Readonly<Partial<Record<CognitoOperationName, CognitoOperation>>> =
  Object.fromEntries([
    row('ListUsers', 'UserList'),
    row('ListUsersInGroup', 'UserList'),
    row('ListGroups', 'UserPoolResourceRead'),
    row('GetGroup', 'UserPoolResourceRead'),
    row('DescribeUserPool', 'UserPoolResourceRead'),
    row('DescribeUserPoolClient', 'UserPoolResourceRead'),
    // preflight: which app clients of the target can write the legacy-sub attribute.
    row('ListUserPoolClients', 'UserPoolResourceRead'),
    row('CreateGroup', 'UserPoolResourceUpdate'),
    row('UpdateGroup', 'UserPoolResourceUpdate'),
    row('AdminInitiateAuth', 'UserAuthentication'),
    row('InitiateAuth', 'UserAuthentication', 'no-iam'),
    row('RespondToAuthChallenge', 'UserAuthentication', 'no-iam'),
    row('AdminRespondToAuthChallenge', 'UserAuthentication'),
    // Authorised by the app client; the API reference: "you can't grant IAM permissions in policies".
    row('RevokeToken', 'UserAuthentication', 'no-iam'),
    row('AdminGetUser', 'UserRead'),
    row('GetUser', 'UserRead', 'no-iam'),
    row('AdminListGroupsForUser', 'UserResourceRead'),
    row('AdminCreateUser', 'UserCreation'),
    row('SignUp', 'UserCreation', 'no-iam'),
    row('AdminAddUserToGroup', 'UserUpdate'),
    row('AdminRemoveUserFromGroup', 'UserUpdate'),
    row('AdminUpdateUserAttributes', 'UserUpdate'),
    row('AdminDisableUser', 'UserUpdate'),
    row('AdminEnableUser', 'UserUpdate'),
    row('AdminSetUserPassword', 'UserUpdate'),
    row('AdminDeleteUser', 'UserUpdate'),
    row('AdminResetUserPassword', 'UserAccountRecovery'),
    row('ForgotPassword', 'UserAccountRecovery', 'no-iam'),
    row('ConfirmForgotPassword', 'UserAccountRecovery', 'no-iam'),

    row('CreateUserPool', POOL_ADMIN),
    row('UpdateUserPool', POOL_ADMIN),
    row('GetUserPoolMfaConfig', POOL_ADMIN),
    row('SetUserPoolMfaConfig', POOL_ADMIN),
    row('DeleteUserPool', POOL_ADMIN),
    row('ListUserPools', POOL_ADMIN),
    row('CreateUserPoolClient', POOL_ADMIN),
    row('UpdateUserPoolClient', POOL_ADMIN),
    row('DeleteUserPoolClient', POOL_ADMIN),
    row('CreateUserPoolDomain', POOL_ADMIN),
    row('DescribeUserPoolDomain', POOL_ADMIN),
    row('DeleteUserPoolDomain', POOL_ADMIN),
    row('DeleteGroup', POOL_ADMIN),
    row('AdminDeleteUserAttributes', UNUSED_ADMIN),
    row('AdminUserGlobalSignOut', UNUSED_ADMIN),
    row('AdminSetUserMFAPreference', UNUSED_ADMIN),
    row('AdminConfirmSignUp', UNUSED_ADMIN),
    row('SetUserMFAPreference', SELF_SERVICE, 'no-iam'),
    row('GlobalSignOut', SELF_SERVICE, 'no-iam'),
    row('AssociateSoftwareToken', SELF_SERVICE, 'no-iam'),
    row('VerifySoftwareToken', SELF_SERVICE, 'no-iam'),
    row('ConfirmSignUp', SELF_SERVICE, 'no-iam'),
    row('ResendConfirmationCode', SELF_SERVICE, 'no-iam'),
  ]);

/** Thrown for an operation missing from COGNITO_OPERATIONS: add its row rather than let it pass ungated. */
export class UnlistedCognitoOperationError extends MigrationError {
  override readonly name = 'UnlistedCognitoOperationError';

  constructor(readonly operation: string) {
    super(
      `Cognito operation ${operation} is not in functions/shared/cognito/operations.ts; add its quota category and IAM action there`,
    );
  }
}

/** The table's row for `operation` (an operation name, or an SDK command name ending in `Command`). */
export const cognitoOperation = (operation: string): CognitoOperation => {
  const name = operation.replace(/Command$/, '');
  const entry = Object.hasOwn(COGNITO_OPERATIONS, name)
    ? COGNITO_OPERATIONS[name as CognitoOperationName]
    : undefined;
  if (!entry) throw new UnlistedCognitoOperationError(name);
  return entry;
};

/** The quota category `operation` is metered under, or undefined where it is deliberately unmetered. */
export const quotaCategoryOf = (operation: string): QuotaCategory | undefined => {
  const { quota } = cognitoOperation(operation);
  return typeof quota === 'string' ? quota : undefined;
};
