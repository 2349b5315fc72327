import {
  ListUsersCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { inScopeList, type MigrationScope } from '#shared/migration-scope';
import { MigrationRefusedError, refuse } from './refusal';
import { sourceRefusalReason } from '#shared/cognito/errors';

const VERIFIED_FLAG = { email: 'email_verified', phone_number: 'phone_number_verified' } as const;

/**
 * Asks the source pool who holds an email or phone number now (ListUsers with an `email = "..."`
 * or `phone_number = "..."` filter: one UserList call, the scarcest quota, so callers use it only
 * when the snapshot cannot answer). Only a verified holder counts, as Cognito resolves aliases.
 * Returns that user's username, or undefined when nobody holds it verified; two verified holders
 * (a source without that alias, where Cognito does not keep them unique) → AMBIGUOUS_USER. With a
 * migration scope only holders in scope count: an address of another tenant's user is not ours.
 */
export const findSourceUsernameByAlias = async (
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
  kind: 'email' | 'phone_number',
  value: string,
  abortSignal: AbortSignal,
  scope?: MigrationScope,
): Promise<string | undefined> => {
  // The filter is a quoted string; a value that would need escaping is no valid email or phone.
  if (/["\\]/.test(value)) return undefined;
  let users;
  try {
    ({ Users: users } = await cognito.send(
      new ListUsersCommand({
        UserPoolId: userPoolId,
        Filter: `${kind} = "${value}"`,
        Limit: 10,
      }),
      { abortSignal },
    ));
  } catch (error) {
    throw new MigrationRefusedError(
      sourceRefusalReason(error),
      error instanceof Error ? error.name : undefined,
    );
  }
  const holders = (users ?? []).filter(
    (user) =>
      (user.Attributes ?? []).some((a) => a.Name === VERIFIED_FLAG[kind] && a.Value === 'true') &&
      inScopeList(user.Attributes, scope),
  );
  if (holders.length > 1) return refuse('AMBIGUOUS_USER', `${holders.length} verified holders in the source`);
  return holders[0]?.Username;
};
