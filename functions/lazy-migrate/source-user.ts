import { createHmac } from 'node:crypto';
import {
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  RevokeTokenCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import type { MigrationConfig } from '#shared/config';
import type { SourceUserSnapshot } from '#shared/table/users';
import { MigrationRefusedError } from './refusal';
import { sourceRefusalReason } from '#shared/cognito/errors';

/** What the source pool said about a password. */
export type PasswordCheck =
  { kind: 'tokens'; idToken?: string; refreshToken?: string } | { kind: 'challenge'; challenge: string };

/** A source user as AdminGetUser (or a trusted ID token) describes them. */
export interface SourceUser {
  username: string;
  attributes: Record<string, string>;
  userStatus: string;
  enabled: boolean;
  /** MFA methods the user has set up (AdminGetUser's UserMFASettingList), when known. */
  mfaMethods?: string[];
}

type SourceSettings = Pick<
  MigrationConfig['source'],
  'userPoolId' | 'migrationClientId' | 'migrationClientSecret'
>;

/** SECRET_HASH: Base64(HMAC-SHA256(key = client secret, message = username + client id)). */
export const secretHash = (username: string, clientId: string, clientSecret: string): string =>
  createHmac('sha256', clientSecret)
    .update(username + clientId)
    .digest('base64');

const refusedBy = (error: unknown): MigrationRefusedError =>
  new MigrationRefusedError(sourceRefusalReason(error), error instanceof Error ? error.name : undefined);

/**
 * Checks a password against the source pool once, with ADMIN_USER_PASSWORD_AUTH on the migration
 * client (server-side flow: no SRP, no client-side secret handling). Failures become refusals.
 */
export const verifyPassword = async (
  cognito: CognitoIdentityProviderClient,
  source: SourceSettings,
  username: string,
  password: string,
  abortSignal: AbortSignal,
): Promise<PasswordCheck> => {
  const authParameters: Record<string, string> = { USERNAME: username, PASSWORD: password };
  if (source.migrationClientSecret) {
    authParameters.SECRET_HASH = secretHash(username, source.migrationClientId, source.migrationClientSecret);
  }
  try {
    const answer = await cognito.send(
      new AdminInitiateAuthCommand({
        UserPoolId: source.userPoolId,
        ClientId: source.migrationClientId,
        AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
        AuthParameters: authParameters,
      }),
      { abortSignal },
    );
    if (answer.AuthenticationResult) {
      return {
        kind: 'tokens',
        idToken: answer.AuthenticationResult.IdToken,
        refreshToken: answer.AuthenticationResult.RefreshToken,
      };
    }
    return { kind: 'challenge', challenge: answer.ChallengeName ?? 'UNKNOWN' };
  } catch (error) {
    throw refusedBy(error);
  }
};

/** Reads a source user with AdminGetUser; failures become refusals. */
export const getSourceUser = async (
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
  username: string,
  abortSignal: AbortSignal,
): Promise<SourceUser> => {
  try {
    const user = await cognito.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: username }), {
      abortSignal,
    });
    return {
      username: user.Username ?? username,
      attributes: Object.fromEntries((user.UserAttributes ?? []).map((a) => [a.Name ?? '', a.Value ?? ''])),
      userStatus: user.UserStatus ?? 'UNKNOWN',
      enabled: user.Enabled !== false,
      mfaMethods: user.UserMFASettingList ?? [],
    };
  } catch (error) {
    throw refusedBy(error);
  }
};

/** A source user from the bulk-sync snapshot (used when the source pool is retired). */
export const fromSnapshot = (snapshot: SourceUserSnapshot): SourceUser => ({
  username: snapshot.username,
  attributes: { ...snapshot.attributes },
  userStatus: snapshot.userStatus,
  enabled: snapshot.enabled,
});

/**
 * Claims of a Cognito ID token that are not user attributes. `address` and `updated_at` are
 * reshaped in tokens (object, number), so an ID token never stands in for users who have them.
 */
const NON_ATTRIBUTE_CLAIMS = new Set([
  'aud',
  'auth_time',
  'at_hash',
  'cognito:groups',
  'cognito:preferred_role',
  'cognito:roles',
  'cognito:username',
  'event_id',
  'exp',
  'iat',
  'iss',
  'jti',
  'nonce',
  'origin_jti',
  'token_use',
]);

/**
 * The user's attributes read from the ID token the password check returned — only when it
 * provably carries every attribute: the token came straight from Cognito over TLS in this call
 * (so its signature adds nothing), it names the same user and sub as the snapshot, and every
 * attribute the snapshot knows is present as a plain string claim. Otherwise undefined, and the
 * caller spends an AdminGetUser. A source app client limited to some ReadAttributes, or a
 * PreTokenGeneration trigger that removes claims, fails this test rather than losing data.
 */
export const attributesFromIdToken = (
  idToken: string | undefined,
  snapshot: SourceUserSnapshot | undefined,
): SourceUser | undefined => {
  if (!snapshot) return undefined;
  const claims = claimsOf(idToken);
  if (!claims) return undefined;
  if (claims['cognito:username'] !== snapshot.username || claims.sub !== snapshot.sub) return undefined;
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(claims)) {
    if (NON_ATTRIBUTE_CLAIMS.has(name)) continue;
    if (typeof value === 'string') attributes[name] = value;
    else if (typeof value === 'boolean') attributes[name] = String(value);
    else return undefined;
  }
  if (!Object.keys(snapshot.attributes).every((name) => name in attributes)) return undefined;
  return { username: snapshot.username, attributes, userStatus: 'CONFIRMED', enabled: true };
};

/**
 * The claims of an ID token the source just returned. No signature check: the token came straight
 * from Cognito over TLS in this very call. Decoded by hand: jose ships ESM only, which the jest
 * setup cannot load untransformed.
 */
const claimsOf = (idToken: string | undefined): Record<string, unknown> | undefined => {
  if (!idToken) return undefined;
  try {
    const payload = JSON.parse(
      Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString('utf8'),
    ) as unknown;
    return typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};

/** A string claim of the ID token the source just returned (an attribute's current value), when present. */
export const idTokenClaim = (idToken: string | undefined, name: string): string | undefined => {
  const value = claimsOf(idToken)?.[name];
  return typeof value === 'string' ? value : undefined;
};

/** The username the source itself resolved (`cognito:username` of its ID token), when present. */
export const usernameFromIdToken = (idToken: string | undefined): string | undefined => {
  const username = claimsOf(idToken)?.['cognito:username'];
  return typeof username === 'string' && username !== '' ? username : undefined;
};

/**
 * Revokes the refresh token (and the tokens issued with it) that the password check created in
 * the source pool, so the check leaves no live session behind. ClientSecret is required when the
 * client has one.
 */
export const revokeRefreshToken = async (
  cognito: CognitoIdentityProviderClient,
  source: SourceSettings,
  refreshToken: string,
  abortSignal: AbortSignal,
): Promise<void> => {
  await cognito.send(
    new RevokeTokenCommand({
      Token: refreshToken,
      ClientId: source.migrationClientId,
      ...(source.migrationClientSecret ? { ClientSecret: source.migrationClientSecret } : {}),
    }),
    { abortSignal },
  );
};
