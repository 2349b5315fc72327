import { randomBytes } from 'node:crypto';
import {
  incorrectCredentials,
  invalidParameter,
  notAuthorized,
  passwordResetRequired,
  userNotConfirmed,
  userNotFound,
} from './errors';
import { verifyPassword, verificationCode } from './passwords';
import { deliver } from './delivery';
import { issueTokens, type TokenSource } from './issue';
import { migrateUser, MigrationRefused } from './migration';
import type { OpContext } from './context';
import type { ClientRecord, PoolRecord, UserRecord } from './types';

export type ChallengeName =
  'NEW_PASSWORD_REQUIRED' | 'SMS_MFA' | 'SOFTWARE_TOKEN_MFA' | 'SELECT_MFA_TYPE' | 'MFA_SETUP';

export interface AuthSession {
  poolId: string;
  clientId: string;
  userKey: string;
  challenge: ChallengeName;
  code?: string;
  expires: number;
  clientMetadata?: Record<string, string>;
  source: TokenSource;
}

// Cognito sessions for a challenge last three minutes.
const SESSION_MS = 3 * 60_000;

/** Open challenge sessions, keyed by the opaque Session string. */
export const sessions = new WeakMap<OpContext['store'], Map<string, AuthSession>>();

function sessionsOf(ctx: OpContext): Map<string, AuthSession> {
  let map = sessions.get(ctx.store);
  if (!map) sessions.set(ctx.store, (map = new Map()));
  return map;
}

export function takeSession(ctx: OpContext, session: unknown, clientId: string): AuthSession {
  const found = typeof session === 'string' ? sessionsOf(ctx).get(session) : undefined;
  if (!found || found.expires <= ctx.now() || found.clientId !== clientId)
    throw notAuthorized('Invalid session for the user, session is expired.');
  return found;
}

export function dropSession(ctx: OpContext, session: string): void {
  sessionsOf(ctx).delete(session);
}

/** The answer for a user the pool does not know, per the client's PreventUserExistenceErrors. */
export function unknownUser(client: ClientRecord): Error {
  return client.preventUserExistenceErrors === 'ENABLED'
    ? incorrectCredentials()
    : userNotFound('User does not exist.');
}

/** Which MFA challenge a user who proved their password must answer, if any. */
export function mfaChallenge(pool: PoolRecord, user: UserRecord): ChallengeName | undefined {
  if (pool.settings.MfaConfiguration === 'OFF') return undefined;
  const sms = user.mfa.sms && !!user.attributes.phone_number;
  const totp = user.mfa.totp;
  if (sms && totp) return user.mfa.preferred ?? 'SELECT_MFA_TYPE';
  if (sms) return 'SMS_MFA';
  if (totp) return 'SOFTWARE_TOKEN_MFA';
  if (pool.settings.MfaConfiguration === 'ON') return user.attributes.phone_number ? 'SMS_MFA' : 'MFA_SETUP';
  return undefined;
}

/** Opens a challenge session and builds the challenge answer (sending the SMS code if needed). */
export function challenge(
  ctx: OpContext,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord,
  name: ChallengeName,
  clientMetadata: Record<string, string> | undefined,
  source: TokenSource,
): object {
  const session = randomBytes(96).toString('base64url');
  const parameters: Record<string, string> = { USER_ID_FOR_SRP: user.username };
  const entry: AuthSession = {
    poolId: pool.id,
    clientId: client.id,
    userKey: user.key,
    challenge: name,
    expires: ctx.now() + SESSION_MS,
    clientMetadata,
    source,
  };
  if (name === 'SMS_MFA') {
    entry.code = verificationCode();
    const details = deliver(ctx, pool, user, 'mfa', 'SMS', { code: entry.code });
    parameters.CODE_DELIVERY_DELIVERY_MEDIUM = 'SMS';
    parameters.CODE_DELIVERY_DESTINATION = details.Destination;
  } else if (name === 'NEW_PASSWORD_REQUIRED') {
    const { sub: _sub, email_verified: _e, phone_number_verified: _p, ...visible } = user.attributes;
    parameters.requiredAttributes = JSON.stringify(
      [...pool.schema.values()]
        .filter((a) => a.Required && a.Name !== 'sub' && !user.attributes[a.Name])
        .map((a) => `userAttributes.${a.Name}`),
    );
    parameters.userAttributes = JSON.stringify(visible);
  } else if (name === 'SELECT_MFA_TYPE') {
    parameters.MFAS_CAN_CHOOSE = JSON.stringify(['SMS_MFA', 'SOFTWARE_TOKEN_MFA']);
  } else if (name === 'MFA_SETUP') {
    parameters.MFAS_CAN_SETUP = JSON.stringify(['SOFTWARE_TOKEN_MFA']);
  }
  sessionsOf(ctx).set(session, entry);
  return { ChallengeName: name, Session: session, ChallengeParameters: parameters };
}

/** After the password (or a challenge) is proven: the next MFA challenge, or tokens. */
export async function finishSignIn(
  ctx: OpContext,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord,
  clientMetadata: Record<string, string> | undefined,
  source: TokenSource,
  skipMfa = false,
): Promise<object> {
  const mfa = skipMfa ? undefined : mfaChallenge(pool, user);
  if (mfa) return challenge(ctx, pool, client, user, mfa, clientMetadata, source);
  return issueTokens(ctx, pool, client, user, source, clientMetadata);
}

/**
 * USER_PASSWORD_AUTH / ADMIN_USER_PASSWORD_AUTH: resolve the typed name (username or alias),
 * migrate an unknown user through UserMigration, check status and password, then challenge or
 * issue tokens.
 */
export async function passwordSignIn(
  ctx: OpContext,
  pool: PoolRecord,
  client: ClientRecord,
  typedName: unknown,
  password: unknown,
  clientMetadata: Record<string, string> | undefined,
  // Managed login signs in with TokenGeneration_HostedAuth; the API with TokenGeneration_Authentication.
  tokenSource: TokenSource = 'TokenGeneration_Authentication',
): Promise<object> {
  if (typeof typedName !== 'string' || typedName === '')
    throw invalidParameter('Missing required parameter USERNAME');
  if (typeof password !== 'string') throw invalidParameter('Missing required parameter PASSWORD');
  let user = ctx.store.findUser(pool, typedName);
  let migrated = false;
  if (!user) {
    if (!ctx.triggers.has(pool, 'UserMigration')) throw unknownUser(client);
    try {
      user = await migrateUser(
        ctx,
        pool,
        client,
        typedName,
        'UserMigration_Authentication',
        password,
        clientMetadata,
      );
    } catch (error) {
      throw error instanceof MigrationRefused ? error.toCognitoError(client) : error;
    }
    migrated = true;
  }
  if (!user.enabled) throw notAuthorized('User is disabled.');
  if (user.status === 'RESET_REQUIRED') throw passwordResetRequired('Password reset required for the user');
  if (!migrated && !verifyPassword(user, password)) throw incorrectCredentials();
  if (user.status === 'UNCONFIRMED') throw userNotConfirmed('User is not confirmed.');
  if (user.status === 'FORCE_CHANGE_PASSWORD')
    return challenge(
      ctx,
      pool,
      client,
      user,
      'NEW_PASSWORD_REQUIRED',
      clientMetadata,
      'TokenGeneration_NewPasswordChallenge',
    );
  return finishSignIn(ctx, pool, client, user, clientMetadata, tokenSource);
}
