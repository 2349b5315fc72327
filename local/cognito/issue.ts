import { randomUUID } from 'node:crypto';
import { orderedGroups } from './ops/groups';
import { TriggerFailure } from './triggers';
import { validitySeconds, type RefreshGrant } from './tokens';
import type { OpContext } from './context';
import type { ClientRecord, PoolRecord, UserRecord } from './types';

export type TokenSource =
  | 'TokenGeneration_Authentication'
  | 'TokenGeneration_HostedAuth'
  | 'TokenGeneration_NewPasswordChallenge'
  | 'TokenGeneration_RefreshTokens';

export interface AuthenticationResult {
  AccessToken: string;
  IdToken: string;
  RefreshToken?: string;
  ExpiresIn: number;
  TokenType: 'Bearer';
}

// Claims a PreTokenGeneration response may not add, override or suppress (AWS ignores them).
const PROTECTED_CLAIMS = new Set([
  'acr',
  'amr',
  'aud',
  'at_hash',
  'auth_time',
  'azp',
  'cognito:username',
  'exp',
  'iat',
  'identities',
  'iss',
  'jti',
  'nbf',
  'nonce',
  'origin_jti',
  'sub',
  'token_use',
  'event_id',
]);

const BOOLEAN_CLAIMS = new Set(['email_verified', 'phone_number_verified']);

interface ClaimsOverride {
  claimsToAddOrOverride?: Record<string, unknown>;
  claimsToSuppress?: string[];
  groupOverrideDetails?: {
    groupsToOverride?: string[];
    iamRolesToOverride?: string[];
    preferredRole?: string;
  };
}

/** Calls PreTokenGeneration (V1 event) and returns its claimsOverrideDetails. */
async function preTokenGeneration(
  ctx: OpContext,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord,
  source: TokenSource,
  clientMetadata: Record<string, string> | undefined,
): Promise<ClaimsOverride> {
  const groups = orderedGroups(pool, user.groups);
  const preferred = groups.find((g) => g.roleArn)?.roleArn;
  try {
    const response = await ctx.triggers.invoke({
      pool,
      trigger: 'PreTokenGeneration',
      triggerSource: source,
      userName: user.username,
      clientId: client.id,
      region: ctx.region,
      request: {
        userAttributes: { ...user.attributes, 'cognito:user_status': user.status },
        groupConfiguration: {
          groupsToOverride: groups.map((g) => g.name),
          iamRolesToOverride: groups.flatMap((g) => (g.roleArn ? [g.roleArn] : [])),
          ...(preferred ? { preferredRole: preferred } : {}),
        },
        clientMetadata: clientMetadata ?? {},
      },
    });
    return ((response?.claimsOverrideDetails ?? {}) as ClaimsOverride) || {};
  } catch (error) {
    throw error instanceof TriggerFailure ? error.toCognitoError() : error;
  }
}

/** Runs PostAuthentication; a failure fails the sign-in with UserLambdaValidationException. */
export async function postAuthentication(
  ctx: OpContext,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord,
  clientMetadata: Record<string, string> | undefined,
): Promise<void> {
  try {
    await ctx.triggers.invoke({
      pool,
      trigger: 'PostAuthentication',
      triggerSource: 'PostAuthentication_Authentication',
      userName: user.username,
      clientId: client.id,
      region: ctx.region,
      request: {
        userAttributes: { ...user.attributes, 'cognito:user_status': user.status },
        newDeviceUsed: false,
        clientMetadata: clientMetadata ?? {},
      },
    });
  } catch (error) {
    throw error instanceof TriggerFailure ? error.toCognitoError() : error;
  }
}

/**
 * Issues ID, access and (except on refresh) refresh tokens with the claims AWS puts in them,
 * after PreTokenGeneration has had its say; then PostAuthentication for a sign-in.
 */
export async function issueTokens(
  ctx: OpContext,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord,
  source: TokenSource,
  clientMetadata?: Record<string, string>,
  refresh?: RefreshGrant,
): Promise<{ AuthenticationResult: AuthenticationResult }> {
  const override = await preTokenGeneration(ctx, pool, client, user, source, clientMetadata);
  const groups = orderedGroups(pool, user.groups);
  const groupNames = override.groupOverrideDetails?.groupsToOverride ?? groups.map((g) => g.name);
  const roles =
    override.groupOverrideDetails?.iamRolesToOverride ??
    groups.flatMap((g) => (g.roleArn ? [g.roleArn] : []));
  const preferredRole =
    override.groupOverrideDetails?.preferredRole ?? groups.find((g) => g.roleArn)?.roleArn;
  const now = ctx.now();
  const iat = Math.floor(now / 1000);
  const originJti = refresh?.originJti ?? randomUUID();
  const authTime = refresh ? Math.floor(refresh.issuedAt / 1000) : iat;
  const iss = ctx.tokens.issuer(pool.id);
  const groupClaim = groupNames.length ? { 'cognito:groups': groupNames } : {};

  const readable = client.readAttributes ?? Object.keys(user.attributes);
  const attributeClaims: Record<string, unknown> = {};
  for (const name of readable) {
    const value = user.attributes[name];
    if (value === undefined || name === 'sub') continue;
    attributeClaims[name] = BOOLEAN_CLAIMS.has(name) ? value === 'true' : value;
  }
  for (const name of override.claimsToSuppress ?? [])
    if (!PROTECTED_CLAIMS.has(name)) delete attributeClaims[name];
  for (const [name, value] of Object.entries(override.claimsToAddOrOverride ?? {}))
    if (!PROTECTED_CLAIMS.has(name)) attributeClaims[name] = value;

  const idExp = iat + validitySeconds(client, 'IdToken');
  const accessExp = iat + validitySeconds(client, 'AccessToken');
  const idToken = ctx.tokens.sign(pool.id, {
    sub: user.sub,
    ...groupClaim,
    ...(roles.length ? { 'cognito:roles': roles } : {}),
    ...(preferredRole ? { 'cognito:preferred_role': preferredRole } : {}),
    iss,
    'cognito:username': user.username,
    origin_jti: originJti,
    aud: client.id,
    event_id: randomUUID(),
    token_use: 'id',
    auth_time: authTime,
    exp: idExp,
    iat,
    jti: randomUUID(),
    ...attributeClaims,
  });
  const accessToken = ctx.tokens.sign(pool.id, {
    sub: user.sub,
    ...groupClaim,
    iss,
    client_id: client.id,
    origin_jti: originJti,
    event_id: randomUUID(),
    token_use: 'access',
    scope: 'aws.cognito.signin.user.admin',
    auth_time: authTime,
    exp: accessExp,
    iat,
    jti: randomUUID(),
    username: user.username,
  });
  const refreshToken = refresh
    ? undefined
    : ctx.tokens.newRefreshToken({
        poolId: pool.id,
        clientId: client.id,
        userKey: user.key,
        originJti,
        issuedAt: now,
        expires: now + validitySeconds(client, 'RefreshToken') * 1000,
      });
  if (!refresh) await postAuthentication(ctx, pool, client, user, clientMetadata);
  return {
    AuthenticationResult: {
      AccessToken: accessToken,
      ExpiresIn: validitySeconds(client, 'AccessToken'),
      TokenType: 'Bearer',
      IdToken: idToken,
      ...(refreshToken ? { RefreshToken: refreshToken } : {}),
    },
  };
}
